"""Writing an accepted division, and going back to the grids it replaced.

Every write keeps the community's grids as they were in the ``grid_history`` layer
under a new revision number, and appends an entry to the division log (the
``division_log`` project setting: revision, community, what was done, when, how many
grids) — so that going back also works for a community that had no grids before.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gridgis.core import schema
from gridgis.core.divide.engine import Division
from gridgis.core.errors import ConflictError, SchemaError
from gridgis.core.geometry import with_clean_polygons
from gridgis.core.link import link_project
from gridgis.core.staff_moves import (
    StaffMoves,
    division_staff_moves,
    reverse_staff_moves,
    staff_moves_for,
    with_ab_pairs,
    write_staff_moves,
)
from gridgis.core.store import Store, Transaction

#: Key of the division log in the project settings.
LOG_KEY = "division_log"


#: The tool recorded in the community revisions by a division and by a restore.
DIVIDE_TOOL = "gridgis divide"
RESTORE_TOOL = "gridgis divide --restore"


class StaleDivisionError(ConflictError):
    """The community's grids changed after the division was computed."""


def _log(store: Store) -> list[dict[str, Any]]:
    return list(store.settings.extra.get(LOG_KEY, []) or [])


def next_revision(store: Store) -> int:
    """The revision number the next write of grids into the history gets."""
    history = store.read("grid_history", columns=["revision"])
    highest = int(history["revision"].max()) if len(history) else 0
    logged = max((int(e.get("revision", 0)) for e in _log(store)), default=0)
    return max(highest, logged) + 1


def now() -> pd.Timestamp:
    """The time stamp of a history entry (UTC, whole seconds)."""
    return pd.Timestamp(datetime.now(timezone.utc).replace(tzinfo=None)).floor("s")


def history_rows(
    grids: pd.DataFrame, revision: int, when: pd.Timestamp
) -> pd.DataFrame:
    """``grid_history`` rows keeping ``grids`` as they were, under ``revision``."""
    fields = schema.layer("grids").field_names
    frame = grids[[*fields, "geometry"]].reset_index(drop=True)
    return frame.assign(replaced_at=when, revision=revision)


def current_grids(store: Store, division: Division) -> pd.DataFrame:
    """The community's grids as they are now, which ``division`` was computed from.

    Raises
    ------
    StaleDivisionError
        The community's grids changed after the division was computed.
    """
    code = division.community_code
    current = store.read("grids", where={"community_code": code})
    found = {
        str(c): shapely.to_wkb(g)
        for c, g in zip(current["code"], current.geometry.values, strict=True)
    }
    if found != division.basis:
        raise StaleDivisionError(
            f"The grids of community {code} changed after this division was computed; "
            "divide the community again and check the new result.",
            f"社区 {code} 的网格在计算本次划分后已被修改;请重新划分并检查结果。",
        )
    return current


def _write(
    store: Store,
    tx: Transaction,
    community: str,
    current: pd.DataFrame,
    remove: np.ndarray,
    insert: pd.DataFrame,
    entry: dict[str, Any],
    staff: StaffMoves | None = None,
) -> int:
    """Write grids, history, log entry and links in the open transaction ``tx``."""
    store.reload_settings()  # the division log as it is now, under the write lock
    revision = next_revision(store)
    when = now()
    entry = {
        "revision": revision,
        "community_code": community,
        "applied_at": when.isoformat(),
        "replaced": len(remove),
        "written": len(insert),
        **entry,
    }
    settings = store.settings
    extra = dict(settings.extra)
    extra[LOG_KEY] = [*_log(store), entry]
    if staff is not None:
        posts = store.read("assignments")  # inside the transaction: what it holds
        entry["staff"] = write_staff_moves(tx, staff, posts)
    if len(current):
        tx.insert("grid_history", history_rows(current, revision, when))
    if len(remove):
        tx.delete("grids", remove)
    if len(insert):
        tx.insert("grids", insert.reset_index(drop=True))
    tx.write_settings(settings.with_changes(extra=extra))
    tx.bump_revisions([community])
    link_project(store, community=community)  # in the same transaction
    return revision


def apply_division(store: Store, division: Division) -> int:
    """Write an accepted division; return its revision number.

    In one transaction, which first takes the write lock and checks that nothing of
    the community changed since the division read it: the community's grids as they
    were go to ``grid_history`` under the new revision, the grids the division
    replaces are removed, the new grids are added, the division log gets an entry, and
    buildings, facilities and totals are linked again
    (:func:`gridgis.core.link.link_project`). Locked grids are left exactly as they
    are.

    Raises
    ------
    ConflictError
        Someone changed the community (its grids, buildings, facilities or posts)
        after the division was computed; divide again.
    StaleDivisionError
        The community's grids changed after the division was computed; divide again.
    """
    code = division.community_code
    with store.transaction(tool=DIVIDE_TOOL) as tx:
        try:
            tx.expect_revisions(division.revisions)
        except ConflictError as exc:
            raise StaleDivisionError(
                f"This division of community {code} was not written: "
                f"{exc.text.en} Divide it again.",
                f"社区 {code} 的本次划分未写入:{exc.text.zh}请重新划分。",
            ) from None
        current = current_grids(store, division)
        locked = set(division.options.locked)
        remove = current.index[~current["code"].isin(locked)].to_numpy()
        report = division.report
        new_grids = with_clean_polygons(division.new_grids)
        staff = division_staff_moves(store, division)
        return _write(
            store,
            tx,
            code,
            current,
            remove,
            with_ab_pairs(new_grids, staff),
            {
                "action": "divide",
                "options": division.options.as_dict(),
                "in_band": report.in_band,
                "residential": report.residential,
                "buildings_cut": report.buildings_cut,
            },
            staff,
        )


def restore_grids(store: Store, revision: int) -> int:
    """Put back the grids that revision ``revision`` replaced; return the new revision.

    The community's current grids are kept in the history in turn, so a restore can be
    undone the same way. Restoring a revision that divided a community without grids
    leaves it without grids again.

    Raises
    ------
    SchemaError
        There is no such revision.
    """
    if not isinstance(revision, (int, np.integer)) or isinstance(revision, bool):
        raise TypeError(f"revision must be an int, got {type(revision).__name__}")
    with store.transaction(tool=RESTORE_TOOL) as tx:
        return _restore(store, tx, int(revision))


def _restore(store: Store, tx: Transaction, revision: int) -> int:
    rows = store.read("grid_history", where={"revision": revision})
    entry = next((e for e in _log(store) if e.get("revision") == revision), None)
    if rows.empty and entry is None:
        known = sorted({int(r) for r in division_history(store)["revision"]})
        raise SchemaError(
            f"There is no revision {revision} in the grid history; revisions: "
            f"{', '.join(map(str, known)) or 'none'}.",
            f"网格历史中没有版本 {revision};已有版本:"
            f"{', '.join(map(str, known)) or '无'}。",
        )
    community = (
        str(entry["community_code"])
        if entry is not None
        else str(rows["community_code"].iloc[0])
    )
    current = store.read("grids", where={"community_code": community})
    grids = rows[[*schema.layer("grids").field_names, "geometry"]]
    recorded = (entry or {}).get("staff")
    staff = (
        reverse_staff_moves(recorded)
        if recorded is not None
        else staff_moves_for(store, current, grids)
    )
    return _write(
        store,
        tx,
        community,
        current,
        current.index.to_numpy(),
        grids,
        {"action": "restore", "restored": int(revision)},
        staff,
    )


def division_history(store: Store, community: str | None = None) -> pd.DataFrame:
    """The divisions and restores written to a project, oldest first.

    Columns: ``revision``, ``community_code``, ``action`` (``divide`` or
    ``restore``), ``applied_at``, ``replaced`` (grids kept in the history), ``written``
    (grids written), ``restored`` (the revision a restore went back to).
    """
    columns = [
        "revision",
        "community_code",
        "action",
        "applied_at",
        "replaced",
        "written",
        "restored",
    ]
    rows = [{c: e.get(c) for c in columns} for e in _log(store)]
    logged = {r["revision"] for r in rows}
    history = store.read("grid_history", columns=["revision", "community_code"])
    for (revision, code), group in history.groupby(["revision", "community_code"]):
        number = int(str(revision))
        if number not in logged:
            rows.append(
                {
                    "revision": number,
                    "community_code": code,
                    "action": None,
                    "applied_at": None,
                    "replaced": len(group),
                    "written": None,
                    "restored": None,
                }
            )
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("revision", "replaced", "written", "restored"):
        frame[column] = frame[column].astype("Int64")
    if community is not None:
        frame = frame[frame["community_code"] == community]
    return frame.sort_values("revision", ignore_index=True)
