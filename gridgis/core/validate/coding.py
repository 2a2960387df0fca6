"""Coding rules: division codes well-formed, unique, and under their parent's code.

Codes have 9 (street), 12 (community) or 15 (grid) digits of a GB/T 2260 county, each
starts with its parent's code, and every parent named exists.

The street codes start with the project's county code (``settings.code_prefix``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from gridgis.core.codes import code_problem
from gridgis.core.definitions import Level, Severity
from gridgis.core.i18n import Text
from gridgis.core.validate.context import LEVEL_LAYERS, Context
from gridgis.core.validate.issue import Issue, Rule, rule


@rule(
    "coding.malformed",
    Severity.ERROR,
    Level.GRID,
    Text("编码格式错误", "malformed code"),
    needs=(),
)
def malformed_codes(context: Context, me: Rule) -> list[Issue]:
    """Codes that are not 9 (street), 12 (community) or 15 (grid) digits of a county."""
    issues = []
    for layer, level, what in LEVEL_LAYERS:
        if not context.snapshot.has(layer):
            continue
        for k, code in enumerate(context.snapshot.column(layer, "code")):
            problem = code_problem(code, level)
            if problem is None:
                continue
            issues.append(
                me.issue(
                    code,
                    Text(
                        f"{what.zh}编码有误:{problem.zh}请按 "
                        "6 位县级代码 + 3 位街道 + 3 位社区 + 3 位网格序号更正。",
                        f"The {what.en} code is wrong: {problem.en} Correct it: 6 "
                        "digits of county, 3 of street, 3 of community, 3 of grid.",
                    ),
                    context.level_geometry(layer, k),
                    community=context.community_of(layer, k),
                    level=level,
                )
            )
    return issues


@rule(
    "coding.duplicate",
    Severity.ERROR,
    Level.GRID,
    Text("编码重复", "duplicate code"),
    needs=(),
)
def duplicate_codes(context: Context, me: Rule) -> list[Issue]:
    """Codes used by more than one street, community or grid."""
    issues = []
    for layer, level, what in LEVEL_LAYERS:
        if not context.snapshot.has(layer):
            continue
        codes = context.snapshot.column(layer, "code")
        counts = Counter(c for c in codes if c is not None)
        for k, code in enumerate(codes):
            if code is None or counts[code] < 2:
                continue
            issues.append(
                me.issue(
                    code,
                    Text(
                        f"编码 {code} 被 {counts[code]} 个{what.zh}同时使用;"
                        f"每个{what.zh}的编码必须唯一,请重新编号。",
                        f"The code {code} is used by {counts[code]} {what.en}s; every "
                        f"{what.en} needs a code of its own, so renumber them.",
                    ),
                    context.level_geometry(layer, k),
                    community=context.community_of(layer, k),
                    level=level,
                )
            )
    return issues


def _parent_fields(context: Context) -> list[tuple[str, Level, Text, np.ndarray, Text]]:
    """Per layer: the parent code each row names, and what the parent is."""
    out = []
    snap = context.snapshot
    if snap.has("grids"):
        out.append(
            ("grids", Level.GRID, Text("网格", "grid"),
             snap.column("grids", "community_code"), Text("社区", "community"))
        )  # fmt: skip
    if snap.has("communities"):
        out.append(
            ("communities", Level.COMMUNITY, Text("社区", "community"),
             snap.column("communities", "street_code"), Text("街道", "street"))
        )  # fmt: skip
    if snap.has("streets"):
        prefix = context.settings.code_prefix
        out.append(
            ("streets", Level.STREET, Text("街道", "street"),
             np.full(len(snap.frame("streets")), prefix, dtype=object),
             Text("县(区)", "county"))
        )  # fmt: skip
    return out


@rule(
    "coding.prefix",
    Severity.ERROR,
    Level.GRID,
    Text("编码与上级不符", "code does not start with its parent's"),
    needs=(),
)
def codes_without_parent_prefix(context: Context, me: Rule) -> list[Issue]:
    """Codes that do not start with their parent's code.

    Grid → community → street → the project's county (``settings.code_prefix``).
    """
    issues = []
    for layer, level, what, parents, parent_what in _parent_fields(context):
        codes = context.snapshot.column(layer, "code")
        for k, (code, parent) in enumerate(zip(codes, parents, strict=True)):
            if code is None or parent is None or str(code).startswith(str(parent)):
                continue
            if code_problem(code, level) is not None:
                continue  # coding.malformed reports it
            issues.append(
                me.issue(
                    code,
                    Text(
                        f"{what.zh}编码 {code} 应以所属{parent_what.zh}的编码 {parent} 开头;"
                        f"请按所属{parent_what.zh}重新编号,或更正所属{parent_what.zh}。",
                        f"The {what.en} code {code} should start with the code {parent} "
                        f"of its {parent_what.en}; renumber it, or correct its "
                        f"{parent_what.en}.",
                    ),
                    context.level_geometry(layer, k),
                    community=context.community_of(layer, k),
                    level=level,
                )
            )
    return issues


@rule(
    "coding.parent_missing",
    Severity.ERROR,
    Level.GRID,
    Text("所属上级不存在", "parent does not exist"),
    needs=(),
)
def missing_parents(context: Context, me: Rule) -> list[Issue]:
    """Grids whose community, and communities whose street, is not in the project."""
    snap = context.snapshot
    issues = []
    checks = []
    if snap.has("grids", "communities"):
        checks.append(
            ("grids", Level.GRID, Text("网格", "grid"), context.grid_community_pos,
             snap.column("grids", "community_code"), Text("社区", "community"))
        )  # fmt: skip
    if snap.has("communities", "streets"):
        checks.append(
            ("communities", Level.COMMUNITY, Text("社区", "community"),
             context.community_street_pos, snap.column("communities", "street_code"),
             Text("街道", "street"))
        )  # fmt: skip
    for layer, level, what, positions, parents, parent_what in checks:
        codes = snap.column(layer, "code")
        for k in np.flatnonzero(positions < 0):
            code, parent = codes[k], parents[k]
            if (
                layer == "grids"
                and snap.community is not None
                and parent != snap.community
            ):
                continue  # a scoped snapshot holds only its own community
            issues.append(
                me.issue(
                    code,
                    Text(
                        f"{what.zh} {code} 所属的{parent_what.zh} {parent} 不存在;"
                        f"请更正所属{parent_what.zh}编码,或先建立该{parent_what.zh}。",
                        f"The {parent_what.en} {parent} of {what.en} {code} does not "
                        f"exist; correct the {parent_what.en} code or create the "
                        f"{parent_what.en} first.",
                    ),
                    context.level_geometry(layer, k),
                    community=(
                        str(parent)
                        if layer == "grids" and parent is not None
                        else context.community_of(layer, k)
                    ),
                    level=level,
                )
            )
    return issues
