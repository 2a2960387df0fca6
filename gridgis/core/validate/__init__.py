"""The validator: every rule of the grid system, checked on a project or a community.

Each finding is an :class:`Issue` that says what is wrong and what to do.

Rules live in one module per family — :mod:`~gridgis.core.validate.geometry`,
:mod:`~gridgis.core.validate.coding`, :mod:`~gridgis.core.validate.topology`,
:mod:`~gridgis.core.validate.capacity`, :mod:`~gridgis.core.validate.linkage`,
:mod:`~gridgis.core.validate.staffing`, :mod:`~gridgis.core.validate.shape` — each rule
a small function with a stable id (:data:`RULES`). Communities without grids are not yet
divided: they are listed in the report's summary, not reported as faults.

Entry points
------------
:func:`validate_project`
    A project (or one community of it) in a store.
:func:`validate_frames`
    Frames in memory (an edit not yet saved, a division being computed).
:func:`validation_report`
    The issues with the summary the command line and the application show.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from gridgis.core.settings import Settings
>>> settings = Settings.default(4549, "320508")
>>> communities = gpd.GeoDataFrame(
...     {"code": ["320508001001"], "name": ["幸福里社区"], "street_code": ["320508001"]},
...     geometry=[box(0, 0, 200, 100)], crs=4549)
>>> grids = gpd.GeoDataFrame(
...     {"code": ["320508001001001", "320508001001002"], "name": ["一", "二"],
...      "community_code": "320508001001", "kind": "residential"},
...     geometry=[box(0, 0, 100, 100), box(100, 0, 190, 100)], crs=4549)
>>> issues = validate_frames({"grids": grids, "communities": communities}, settings,
...                          rules=["topology"])
>>> [(i.rule, i.code, round(i.location.area)) for i in issues]
[('topology.gap', '320508001001', 1000)]
"""

from __future__ import annotations

import contextvars
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from gridgis.core.definitions import Severity
from gridgis.core.progress import Feedback, check
from gridgis.core.settings import Settings
from gridgis.core.snapshot import Snapshot
from gridgis.core.store import Store

# The rule modules register their rules when imported.
from gridgis.core.validate import (  # noqa: F401
    capacity,
    coding,
    geometry,
    linkage,
    register,
    shape,
    staffing,
    topology,
)
from gridgis.core.validate.context import Context
from gridgis.core.validate.issue import RULES, Issue, Options, Rule
from gridgis.core.validate.layer import issues_frame, write_issues

if TYPE_CHECKING:
    from gridgis.core.link import LinkReport


def select_rules(rules: Iterable[str] | None = None) -> list[Rule]:
    """The rules named by id (``"topology.gap"``) or family (``"topology"``).

    Raises
    ------
    ValueError
        If a name matches no rule.
    """
    if rules is None:
        return _ordered(RULES.values())
    chosen: dict[str, Rule] = {}
    for name in rules:
        found = [r for r in RULES.values() if r.id == name or r.family == name]
        if not found:
            raise ValueError(f"no rule or rule family {name!r}; rules: {list(RULES)}")
        chosen.update((r.id, r) for r in found)
    return _ordered(chosen.values())


#: Order in which rule families run and are listed (as in the design).
FAMILIES = (
    "geometry",
    "topology",
    "capacity",
    "linkage",
    "staffing",
    "coding",
    "shape",
    "register",
)


def _ordered(rules: Iterable[Rule]) -> list[Rule]:
    position = {rule_id: k for k, rule_id in enumerate(RULES)}
    return sorted(
        rules,
        key=lambda r: (
            FAMILIES.index(r.family) if r.family in FAMILIES else len(FAMILIES),
            position[r.id],
        ),
    )


def run_rules(
    snapshot: Snapshot,
    *,
    rules: Iterable[str] | None = None,
    options: Options | None = None,
    feedback: Feedback | None = None,
    start: float = 0.0,
) -> list[Issue]:
    """Run the rules on a snapshot; issues in report order.

    A scoped snapshot gives the issues of its community only — the same ones a check
    of the whole project gives for that community.
    """
    context = Context(snapshot, options)
    selected = select_rules(rules)
    issues: list[Issue] = []
    for k, chosen in enumerate(selected):
        check(feedback)
        if snapshot.has(*chosen.needs):
            issues.extend(chosen.check(context))
        if feedback is not None:
            feedback.set_progress(start + (100.0 - start) * (k + 1) / len(selected))
    if snapshot.community is not None:
        issues = [i for i in issues if i.community == snapshot.community]
    return sorted(issues, key=Issue.sort_key)


def validate_project(
    store: Store,
    *,
    community: str | None = None,
    feedback: Feedback | None = None,
    snapshot: Snapshot | None = None,
    rules: Iterable[str] | None = None,
) -> list[Issue]:
    """Check a project, or one community of it, against every rule.

    Parameters
    ----------
    store
        The project.
    community
        Check only this community (12-digit code): fast enough to run after every
        edit. ``None`` checks the whole project.
    feedback
        Progress and cancellation.
    snapshot
        The project already read (for example by :func:`~gridgis.core.link.link_project`
        just before), so that it is not read again.
    rules
        Rule ids or families to run (default: all).

    Returns
    -------
    list of Issue
        The findings, grouped by community, errors first.
    """
    if snapshot is None:
        snapshot = Snapshot.load(store, community=community)
    elif snapshot.community != community:
        raise ValueError("the snapshot must have the scope that is checked")
    if feedback is not None:
        feedback.set_progress(20.0)
    return run_rules(snapshot, rules=rules, feedback=feedback, start=20.0)


def validate_frames(
    frames: Mapping[str, pd.DataFrame],
    settings: Settings,
    *,
    community: str | None = None,
    rules: Iterable[str] | None = None,
    options: Options | None = None,
) -> list[Issue]:
    """Check layers held in memory, without a store.

    Parameters
    ----------
    frames
        Layer name → (Geo)DataFrame with the layer's schema fields (those the checks do
        not need may be left out). Rules whose layers are not given do not run: grids
        and communities alone are enough for the topology and coding rules.
    settings
        The project settings (bands, roles, tolerance).
    community
        Check only this community. The frames may hold the whole project: they are cut
        down through geopandas' spatial indexes, which persist on unchanged frames, so
        re-checking after an edit to one layer stays fast.
    rules
        Rule ids or families to run (default: all).
    options
        Thresholds (default: from ``settings``).
    """
    snapshot = Snapshot.from_frames(frames, settings, community=community)
    return run_rules(snapshot, rules=rules, options=options)


@dataclass
class CommunitySummary:
    """A community as the report lists it."""

    code: str
    name: str
    grids: int
    errors: int = 0
    warnings: int = 0

    @property
    def divided(self) -> bool:
        """Whether the community has grids."""
        return self.grids > 0


@dataclass
class ValidationReport:
    """Findings of a check, with what the summary line needs."""

    issues: list[Issue]
    communities: list[CommunitySummary]
    scope: str | None = None
    seconds: float = 0.0
    link: LinkReport | None = None
    location: str = ""
    written: int | None = field(default=None)
    #: Seconds per phase: ``read``, with ``link`` also ``plan`` and ``write`` (the
    #: write runs while the rules do), ``validate``.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Number of errors."""
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return sum(1 for i in self.issues if i.severity is Severity.WARNING)

    @property
    def undivided(self) -> list[CommunitySummary]:
        """Communities without grids (not yet divided; not checked for gaps)."""
        return [c for c in self.communities if not c.divided]

    def by_community(self) -> list[tuple[CommunitySummary | None, list[Issue]]]:
        """Issues grouped by community, in report order; ``None`` for the rest."""
        known = {c.code: c for c in self.communities}
        groups: dict[str | None, list[Issue]] = {}
        for issue in self.issues:
            groups.setdefault(issue.community, []).append(issue)
        out: list[tuple[CommunitySummary | None, list[Issue]]] = []
        for code, found in groups.items():
            summary = known.get(code) if code is not None else None
            if summary is None and code is not None:
                summary = CommunitySummary(code, "", 0)
            out.append((summary, found))
        return out


def validation_report(
    store: Store,
    *,
    community: str | None = None,
    feedback: Feedback | None = None,
    link: bool = False,
    rules: Sequence[str] | None = None,
    write_layer: bool = False,
) -> ValidationReport:
    """Check a project (optionally linking it first, in one read) and summarise.

    With ``link=True`` the buildings and facilities are linked and the totals rolled
    up and written (one transaction) on the same data read once, and the check runs
    on the linked data while the link is being written: the store writes large
    updates as one SQLite statement, which leaves the interpreter to the checks. A
    write that fails is raised after the check; the file is then as it was.

    With ``write_layer=True`` the findings replace those in the issues layer; with
    ``link`` too, the link and the findings land in one transaction (the link's
    transaction stays open until the check is done), or neither does.
    """
    started = time.perf_counter()
    phases: dict[str, float] = {}
    revisions = {c: r.number for c, r in store.revisions().items()} if link else None
    snapshot = Snapshot.load(store, community=community)
    phases["read"] = time.perf_counter() - started
    link_report = None
    written_rows: list[int] = []
    writer: ThreadPoolExecutor | None = None
    written: Future[LinkReport] | None = None
    if link:
        from gridgis.core.link import apply_link, plan_link

        start = time.perf_counter()
        plan = plan_link(
            store, community=community, snapshot=snapshot, revisions=revisions
        )
        phases["plan"] = time.perf_counter() - start
        assert plan.report.snapshot is not None
        snapshot = plan.report.snapshot

        found: Future[list[Issue]] = Future()

        def write() -> LinkReport:
            begun = time.perf_counter()
            with store.transaction(tool="validate"):
                report = apply_link(store, plan)  # joins the open transaction
                phases["write"] = time.perf_counter() - begun
                if write_layer:
                    written_rows.append(
                        write_issues(store, found.result(), community=community)
                    )
            return report

        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gridgis-link")
        # In the caller's context: the change log names the caller's tool.
        written = writer.submit(contextvars.copy_context().run, write)
    start = time.perf_counter()
    try:
        issues = validate_project(
            store,
            community=community,
            feedback=feedback,
            snapshot=snapshot,
            rules=rules,
        )
        phases["validate"] = time.perf_counter() - start
    except BaseException as exc:
        if written is not None:
            found.set_exception(exc)  # the link's transaction rolls back
        raise
    else:
        if written is not None:
            found.set_result(issues)
    finally:
        if writer is not None:
            writer.shutdown(wait=True)
    if written is not None:
        link_report = written.result()
    elif write_layer:
        written_rows.append(write_issues(store, issues, community=community))
    return ValidationReport(
        issues=issues,
        communities=summarise(snapshot, issues),
        scope=community,
        seconds=time.perf_counter() - started,
        link=link_report,
        location=store.location,
        phases=phases,
        written=written_rows[0] if written_rows else None,
    )


def summarise(snapshot: Snapshot, issues: Sequence[Issue]) -> list[CommunitySummary]:
    """Per community of the snapshot (its own only, when scoped): grids and findings."""
    codes = snapshot.column("communities", "code")
    names = snapshot.column("communities", "name")
    grid_counts = Counter(snapshot.column("grids", "community_code"))
    errors = Counter(i.community for i in issues if i.severity is Severity.ERROR)
    warnings = Counter(i.community for i in issues if i.severity is Severity.WARNING)
    out = []
    for code, name in zip(codes, names, strict=True):
        if snapshot.community is not None and code != snapshot.community:
            continue
        out.append(
            CommunitySummary(
                code=str(code),
                name=str(name or ""),
                grids=grid_counts.get(code, 0),
                errors=errors.get(code, 0),
                warnings=warnings.get(code, 0),
            )
        )
    return sorted(out, key=lambda c: c.code)


__all__ = [
    "FAMILIES",
    "RULES",
    "CommunitySummary",
    "Context",
    "Issue",
    "Options",
    "Rule",
    "ValidationReport",
    "issues_frame",
    "run_rules",
    "select_rules",
    "summarise",
    "validate_frames",
    "validate_project",
    "validation_report",
    "write_issues",
]
