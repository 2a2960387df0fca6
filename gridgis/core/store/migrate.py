"""Migration of project files made by older GridGIS versions.

Opening a file whose schema version is below :data:`gridgis.core.schema.SCHEMA_VERSION`
runs, in one transaction, the data steps of every version in between and then adds
whatever tables and fields the current schema has and the file lacks. A failure leaves
the file as it was.

Versions
--------
1
    Household band as one ``household_band`` setting for every grid kind; no
    ``issues`` or ``grid_history`` table; buildings without ``number``.
2
    Household bands per grid kind (``household_bands``); validation issues and the
    grid history kept in the file; building numbers for boards.
3
    Validation issues record their community and the building, facility or person
    they concern (``issues.community_code``, ``issues.feature``).
4
    Each community has a revision (``community_revisions``) that every write to its
    grids, buildings, facilities or staff posts moves on, kept by triggers.
    The audit trail: a ``changes`` table that records every change set (who, when,
    which tool, the rows before and after); the database refuses edits to it.
    The information base: ``houses`` and ``residents`` tables, buildings' registered
    households and population, the key-person category catalogue in the settings.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from gridgis.core import schema
from gridgis.core.definitions import GridKind
from gridgis.core.settings import CATEGORY_PRESETS, DEFAULT_BANDS, Settings
from gridgis.core.store import gpkg_ddl as ddl


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """One household band for all kinds → a band per grid kind."""
    row = conn.execute(
        "SELECT value FROM settings WHERE key = 'household_band'"
    ).fetchone()
    bands = {k: [b.min, b.max] for k, b in DEFAULT_BANDS.items()}
    if row is not None and row[0]:
        low, high = json.loads(row[0])
        bands[GridKind.RESIDENTIAL.value] = [int(low), int(high)]
        conn.execute("DELETE FROM settings WHERE key = 'household_band'")
    conn.execute("DELETE FROM settings WHERE key = 'household_bands'")
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('household_bands', ?)",
        (json.dumps(bands),),
    )


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """Issues gain two fields; findings of the older validator are dropped.

    The next validation writes them anew.
    """
    if "issues" in ddl.existing_tables(conn):
        conn.execute("DELETE FROM issues")


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """Start the key-person category catalogue from the standard preset.

    Community revisions start at 0: their table and triggers are added below.
    """
    conn.execute("DELETE FROM settings WHERE key = 'categories'")
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('categories', ?)",
        (
            json.dumps(
                [vars(c) for c in CATEGORY_PRESETS["standard"]], ensure_ascii=False
            ),
        ),
    )


#: Files of this schema version or later are read as they are (what later versions
#: add, reads do not need); they are migrated when first written.
READABLE_FROM = 3


#: Data steps: ``STEPS[v]`` turns a version ``v`` file into a version ``v + 1`` file.
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
}


def add_missing_structure(conn: sqlite3.Connection, epsg: int) -> list[str]:
    """Create the tables and columns of the current schema that the file lacks.

    Returns
    -------
    list of str
        What was added, as ``table`` or ``table.field``.
    """
    added = []
    tables = ddl.existing_tables(conn)
    for lyr in schema.LAYERS.values():
        if lyr.name not in tables:
            ddl.create_layer(conn, lyr, epsg)
            added.append(lyr.name)
            continue
        present = set(ddl.existing_columns(conn, lyr.name))
        for fld in lyr.fields:
            if fld.name not in present:
                ddl.add_field(conn, lyr, fld)
                added.append(f"{lyr.name}.{fld.name}")
    return added


def migrate(conn: sqlite3.Connection, settings: Settings) -> Settings:
    """Bring an open project file up to the current schema, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        migrated = migrate_locked(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return migrated


def migrate_locked(conn: sqlite3.Connection) -> Settings:
    """Migrate inside a write transaction already open on ``conn``; the new settings.

    The version is read under the lock: another program may have migrated the file
    meanwhile. A file already current is left alone.
    """
    settings = Settings.from_rows(
        conn.execute("SELECT key, value FROM settings").fetchall()
    )
    if settings.schema_version >= schema.SCHEMA_VERSION:
        return settings
    for version in range(max(settings.schema_version, 1), schema.SCHEMA_VERSION):
        STEPS[version](conn)
    add_missing_structure(conn, settings.crs_epsg)
    ddl.create_revision_triggers(conn)
    ddl.protect_change_log(conn)
    conn.execute(
        "UPDATE settings SET value = ? WHERE key = 'schema_version'",
        (json.dumps(schema.SCHEMA_VERSION),),
    )
    return Settings.from_rows(
        conn.execute("SELECT key, value FROM settings").fetchall()
    )
