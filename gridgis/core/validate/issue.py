"""Findings, the registry of rules, and the thresholds a project may tune.

Every rule is a small function registered with :func:`rule` under a stable id such as
``"topology.gap"``; it receives a :class:`~gridgis.core.validate.context.Context` and
returns :class:`Issue` s. The id, severity, level and title live in :data:`RULES`, so
reports, the ``issues`` layer and the tests all name rules the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text

if TYPE_CHECKING:
    from gridgis.core.validate.context import Context


@dataclass(frozen=True)
class Issue:
    """One finding of the validator.

    Attributes
    ----------
    rule
        Stable rule id, ``"<family>.<name>"`` (see :data:`RULES`).
    severity
        ``ERROR`` (must be fixed) or ``WARNING`` (worth a look).
    level
        The level of the object the finding is about.
    code
        The code of that street, community or grid (``None`` when it has none).
    message
        What is wrong and what to do, in Chinese and English.
    location
        Where on the map (the gap, the overlap, the grid, the building), or ``None``.
    community
        The community the finding belongs to (reports group by it), or ``None`` for
        findings above community level.
    feature
        The building, facility or staff member the finding is about (its ID), if any.
    """

    rule: str
    severity: Severity
    level: Level
    code: str | None
    message: Text
    location: BaseGeometry | None = None
    community: str | None = None
    feature: str | None = None

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Order of reports: community, errors first, rule, code, feature."""
        return (
            self.community or "~",
            0 if self.severity is Severity.ERROR else 1,
            self.rule,
            self.code or "",
            self.feature or "",
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description (the location as WKT)."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "level": self.level.value,
            "code": self.code,
            "community": self.community,
            "feature": self.feature,
            "message": {"zh": self.message.zh, "en": self.message.en},
            "location": None if self.location is None else self.location.wkt,
        }


RuleCheck = Callable[["Context"], list[Issue]]


@dataclass(frozen=True)
class Rule:
    """A rule of the validator: its stable id, what it checks, and the check."""

    id: str
    severity: Severity
    level: Level
    title: Text
    needs: tuple[str, ...]
    check: RuleCheck

    @property
    def family(self) -> str:
        """The rule family (geometry, topology, capacity, linkage, ...)."""
        return self.id.split(".", 1)[0]

    def issue(
        self,
        code: str | None,
        message: Text,
        location: BaseGeometry | None = None,
        *,
        community: str | None = None,
        feature: str | None = None,
        level: Level | None = None,
    ) -> Issue:
        """An :class:`Issue` of this rule."""
        return Issue(
            rule=self.id,
            severity=self.severity,
            level=level or self.level,
            code=code,
            message=message,
            location=location,
            community=community,
            feature=feature,
        )


#: Every rule, by id, in the order they run.
RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    severity: Severity,
    level: Level,
    title: Text,
    *,
    needs: tuple[str, ...] = ("grids",),
) -> Callable[[Callable[[Context, Rule], list[Issue]]], Rule]:
    """Register a check as the rule ``rule_id``.

    The decorated function receives the context and its own :class:`Rule` (to make
    issues with), and returns the issues it finds. ``needs`` names the layers it reads;
    a rule whose layers were not provided does not run.
    """

    def register(function: Callable[[Context, Rule], list[Issue]]) -> Rule:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} is registered twice")

        def check(context: Context) -> list[Issue]:
            return function(context, RULES[rule_id])

        check.__doc__ = function.__doc__
        check.__name__ = function.__name__
        registered = Rule(rule_id, severity, level, title, needs, check)
        RULES[rule_id] = registered
        return registered

    return register


@dataclass(frozen=True)
class Options:
    """Thresholds of the rules, read from the project settings.

    A project sets them under ``"validation"`` in its settings (``settings.extra``);
    anything it leaves out takes the default below. Household bands are not here: they
    come from the settings' bands per grid kind and each grid's override.

    Examples
    --------
    >>> Options.from_settings_extra({"validation": {"min_compactness": 0.1}}).min_compactness
    0.1
    """

    #: Polsby–Popper compactness (4πA/P², 1 for a circle) below which a grid is
    #: reported as straggling.
    min_compactness: float = 0.2
    #: Road classes that should not run through a grid. Grids commonly span local
    #: streets; an arterial road through a grid splits it in two.
    crossing_road_classes: tuple[str, ...] = ("arterial",)
    #: Metres of such a road inside a grid (away from its boundary) that count.
    crossing_road_length: float = 20.0
    #: Overlay kinds whose boundaries grids should respect.
    overlay_kinds: tuple[str, ...] = ("police", "school")
    #: A grid crosses an overlay boundary when two overlays of one kind each cover at
    #: least this share of it.
    overlay_share: float = 0.1
    #: Metres of common boundary that make two grids neighbours (AB partners must be).
    min_shared_boundary: float = 10.0  # as gridgis.core.staffing.MIN_SHARED

    @classmethod
    def from_settings_extra(cls, extra: Mapping[str, Any]) -> Options:
        """Options from ``settings.extra`` (unknown keys are ignored)."""
        given = dict(extra.get("validation") or {})
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in given.items():
            if key not in known:
                continue
            values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


__all__ = ["RULES", "Issue", "Options", "Rule", "rule"]
