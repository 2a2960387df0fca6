"""The SQL that lays out a GridGIS GeoPackage (version 1.2).

GridGIS writes the GeoPackage structure itself, inside one SQLite transaction, so that
creating a project and migrating an older one are all-or-nothing and do not depend on
which GDAL happens to be installed. Version 1.2 is written because the system GDAL 3.6
that QGIS 3.22 uses reads it fully (the PyPI wheels' GDAL would write 1.4).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from pyproj import CRS

from gridgis.core import schema
from gridgis.core.schema import Field, FieldType, Layer

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10200  # GeoPackage 1.2.0
RTREE_DEFINITION = "http://www.geopackage.org/spec120/#extension_rtree"
SCHEMA_DEFINITION = "http://www.geopackage.org/spec120/#extension_schema"

_CORE_TABLES = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
CREATE TABLE gpkg_data_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  name TEXT,
  title TEXT,
  description TEXT,
  mime_type TEXT,
  constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name)
);
CREATE TABLE gpkg_data_column_constraints (
  constraint_name TEXT NOT NULL,
  constraint_type TEXT NOT NULL,
  value TEXT,
  min NUMERIC,
  min_is_inclusive BOOLEAN,
  max NUMERIC,
  max_is_inclusive BOOLEAN,
  description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value)
);
"""

_UNDEFINED_SRS = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
     "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
     "undefined geographic coordinate reference system"),
)  # fmt: skip

_SQL_TYPES = {
    FieldType.TEXT: "TEXT",
    FieldType.INTEGER: "INTEGER",
    FieldType.REAL: "REAL",
    FieldType.BOOLEAN: "BOOLEAN",
    FieldType.BLOB: "BLOB",
    FieldType.DATETIME: "DATETIME",
}


def quote(identifier: str) -> str:
    """Quote an SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def rtree_name(table: str) -> str:
    """Name of the R-tree index table of ``table``'s geometry column."""
    return f"rtree_{table}_{schema.GEOMETRY_COLUMN}"


def add_srs(conn: sqlite3.Connection, epsg: int) -> None:
    """Register EPSG:``epsg`` in ``gpkg_spatial_ref_sys`` unless it is there already."""
    exists = conn.execute(
        "SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (epsg,)
    ).fetchone()
    if exists:
        return
    crs = CRS.from_epsg(epsg)
    conn.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, ?)",
        (crs.name, epsg, epsg, crs.to_wkt("WKT1_GDAL"), crs.name),
    )


def create_core(conn: sqlite3.Connection, epsg: int) -> None:
    """Create the GeoPackage's own tables and register the spatial reference systems."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {USER_VERSION}")
    for statement in _CORE_TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _UNDEFINED_SRS
    )
    for code in (4326, epsg):
        add_srs(conn, code)
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        conn.execute(
            "INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
            (table, SCHEMA_DEFINITION),
        )


def column_sql(fld: Field) -> str:
    """The column definition of ``fld``."""
    not_null = " NOT NULL" if fld.required else ""
    return f"{quote(fld.name)} {_SQL_TYPES[fld.type]}{not_null}"


def _rtree_triggers(table: str) -> list[str]:
    t, g, r = quote(table), quote(schema.GEOMETRY_COLUMN), quote(rtree_name(table))
    values = f"(NEW.fid, ST_MinX(NEW.{g}), ST_MaxX(NEW.{g}), ST_MinY(NEW.{g}), ST_MaxY(NEW.{g}))"
    not_empty = f"NEW.{g} NOT NULL AND NOT ST_IsEmpty(NEW.{g})"
    is_empty = f"NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})"
    name = rtree_name(table)
    return [
        f'CREATE TRIGGER "{name}_insert" AFTER INSERT ON {t} '
        f"WHEN ({not_empty}) BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END",
        f'CREATE TRIGGER "{name}_update1" AFTER UPDATE OF {g} ON {t} '
        f"WHEN OLD.fid = NEW.fid AND ({not_empty}) "
        f"BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END",
        f'CREATE TRIGGER "{name}_update2" AFTER UPDATE OF {g} ON {t} '
        f"WHEN OLD.fid = NEW.fid AND ({is_empty}) "
        f"BEGIN DELETE FROM {r} WHERE id = OLD.fid; END",
        f'CREATE TRIGGER "{name}_update3" AFTER UPDATE ON {t} '
        f"WHEN OLD.fid != NEW.fid AND ({not_empty}) "
        f"BEGIN DELETE FROM {r} WHERE id = OLD.fid; "
        f"INSERT OR REPLACE INTO {r} VALUES {values}; END",
        f'CREATE TRIGGER "{name}_update4" AFTER UPDATE ON {t} '
        f"WHEN OLD.fid != NEW.fid AND ({is_empty}) "
        f"BEGIN DELETE FROM {r} WHERE id IN (OLD.fid, NEW.fid); END",
        f'CREATE TRIGGER "{name}_delete" AFTER DELETE ON {t} '
        f"WHEN OLD.{g} NOT NULL BEGIN DELETE FROM {r} WHERE id = OLD.fid; END",
    ]


def rtree_trigger_names(table: str) -> list[str]:
    """Names of the R-tree triggers of ``table``."""
    name = rtree_name(table)
    return [f"{name}_{s}" for s in ("insert", "update1", "update2", "update3",
                                    "update4", "delete")]  # fmt: skip


def create_rtree_triggers(conn: sqlite3.Connection, table: str) -> None:
    """(Re)create the triggers that keep ``table``'s R-tree in step with its rows."""
    for statement in _rtree_triggers(table):
        conn.execute(statement)


def drop_rtree_triggers(conn: sqlite3.Connection, table: str) -> None:
    """Drop ``table``'s R-tree triggers (for bulk loads that fill the index at once)."""
    for name in rtree_trigger_names(table):
        conn.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")


#: Fields that link the information base's rows to their building and house: reads
#: of a building's houses, a house's residents and the whole city's counts follow them.
REGISTER_LINKS = ("building_id", "house_id")


def index_fields(lyr: Layer) -> list[str]:
    """The fields of ``lyr`` that have an index: key, division codes and links."""
    names = list(dict.fromkeys(lyr.key))
    names += [
        f.name
        for f in lyr.fields
        if f.name.endswith("_code") or f.name == "code" or f.name in REGISTER_LINKS
    ]
    return list(dict.fromkeys(n for n in names if lyr.has_field(n)))


def index_name(table: str, name: str) -> str:
    """The quoted name of the index on field ``name`` of ``table``."""
    return quote(f"idx_{table}_{name}")


def create_index(conn: sqlite3.Connection, table: str, name: str) -> None:
    """Create the index on field ``name`` of ``table``."""
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS {index_name(table, name)} "
        f"ON {quote(table)} ({quote(name)})"
    )


def _choice_constraint(fld: Field) -> str | None:
    if fld.choices is None:
        return None
    return f"gridgis_{fld.choices.__name__.lower()}"


def register_columns(
    conn: sqlite3.Connection, lyr: Layer, fields: Iterable[Field]
) -> None:
    """Describe ``fields`` in ``gpkg_data_columns``: Chinese alias, English title."""
    for fld in fields:
        constraint = _choice_constraint(fld)
        if constraint is not None and fld.choices is not None:
            for member in fld.choices:
                conn.execute(
                    "INSERT OR IGNORE INTO gpkg_data_column_constraints "
                    "(constraint_name, constraint_type, value, description) "
                    "VALUES (?, 'enum', ?, ?)",
                    (constraint, member.value, member.label.zh),
                )
        conn.execute(
            "INSERT OR REPLACE INTO gpkg_data_columns VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                lyr.name,
                fld.name,
                fld.zh,
                fld.en,
                f"{fld.zh} / {fld.en}",
                "image/png" if fld.type is FieldType.BLOB else None,
                constraint,
            ),
        )


def create_layer(conn: sqlite3.Connection, lyr: Layer, epsg: int) -> None:
    """Create the table of ``lyr`` with its R-tree, indexes and column descriptions."""
    columns = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    if lyr.is_spatial:
        assert lyr.geometry is not None
        columns.append(f"{quote(schema.GEOMETRY_COLUMN)} {lyr.geometry.upper()}")
    columns += [column_sql(f) for f in lyr.fields]
    conn.execute(f"CREATE TABLE {quote(lyr.name)} ({', '.join(columns)})")
    data_type = "features" if lyr.is_spatial else "attributes"
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
        "srs_id) VALUES (?, ?, ?, ?, ?)",
        (
            lyr.name,
            data_type,
            lyr.name,
            f"{lyr.zh} / {lyr.en}",
            epsg if lyr.is_spatial else None,
        ),
    )
    if lyr.is_spatial:
        assert lyr.geometry is not None
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
            (lyr.name, schema.GEOMETRY_COLUMN, lyr.geometry.upper(), epsg),
        )
        conn.execute(
            f"CREATE VIRTUAL TABLE {quote(rtree_name(lyr.name))} "
            "USING rtree(id, minx, maxx, miny, maxy)"
        )
        create_rtree_triggers(conn, lyr.name)
        conn.execute(
            "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', ?, "
            "'write-only')",
            (lyr.name, schema.GEOMETRY_COLUMN, RTREE_DEFINITION),
        )
    for name in index_fields(lyr):
        create_index(conn, lyr.name, name)
    register_columns(conn, lyr, lyr.fields)


def add_field(conn: sqlite3.Connection, lyr: Layer, fld: Field) -> None:
    """Add a column that an older project lacks (required columns stay nullable)."""
    conn.execute(
        f"ALTER TABLE {quote(lyr.name)} ADD COLUMN {quote(fld.name)} "
        f"{_SQL_TYPES[fld.type]}"
    )
    register_columns(conn, lyr, [fld])


def existing_tables(conn: sqlite3.Connection) -> set[str]:
    """Tables registered in ``gpkg_contents``."""
    return {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}


def existing_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """Column names of ``table``."""
    return [r[1] for r in conn.execute(f"PRAGMA table_info({quote(table)})")]


#: Fields of ``grids`` that linking computes: writing them does not move a revision.
_DERIVED_GRID_FIELDS = ("households", "population")


def _community(row: str, field: str) -> str:
    if field == "community_code":
        return f"{row}.{quote(field)}"
    return f"substr({row}.{quote(field)}, 1, 12)"


def _bump(row: str, table: str, field: str, also: str = "") -> str:
    code = _community(row, field)
    return (
        "INSERT INTO community_revisions (community_code, revision, changed_at) "
        f"SELECT {code}, 1, strftime('%Y-%m-%dT%H:%M:%fZ','now') "
        f"WHERE {code} IS NOT NULL AND {code} != ''{also} "
        "ON CONFLICT (community_code) DO UPDATE SET revision = revision + 1, "
        "changed_at = excluded.changed_at, changed_by = NULL, tool = NULL;"
    )


def create_revision_triggers(conn: sqlite3.Connection) -> None:
    """Make every write to a community's rows move its revision, whoever writes.

    A plain layer edit in QGIS or a script moves the revision as GridGIS does, so an
    edit computed from older data cannot land over it unnoticed.
    """
    from gridgis.core.store.base import REVISED_LAYERS

    conn.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_community_revisions_code "
        "ON community_revisions (community_code)"
    )
    for table, field in REVISED_LAYERS.items():
        t = quote(table)
        columns = ""
        if table == "grids":
            names = [schema.GEOMETRY_COLUMN] + [
                f.name
                for f in schema.layer(table).fields
                if f.name not in _DERIVED_GRID_FIELDS
            ]
            columns = " OF " + ", ".join(map(quote, names))
        conn.execute(
            f'CREATE TRIGGER IF NOT EXISTS "gridgis_revision_{table}_insert" '
            f"AFTER INSERT ON {t} BEGIN {_bump('NEW', table, field)} END"
        )
        conn.execute(
            f'CREATE TRIGGER IF NOT EXISTS "gridgis_revision_{table}_delete" '
            f"AFTER DELETE ON {t} BEGIN {_bump('OLD', table, field)} END"
        )
        moved = f" AND {_community('OLD', field)} IS NOT {_community('NEW', field)}"
        conn.execute(
            f'CREATE TRIGGER IF NOT EXISTS "gridgis_revision_{table}_update" '
            f"AFTER UPDATE{columns} ON {t} BEGIN {_bump('NEW', table, field)} "
            f"{_bump('OLD', table, field, moved)} END"
        )


#: The audit-trail table: rows are only ever added to it.
CHANGE_LOG = "changes"


def protect_change_log(conn: sqlite3.Connection) -> None:
    """Make the database refuse to change or remove rows of the change log."""
    for action in ("UPDATE", "DELETE"):
        conn.execute(
            f"CREATE TRIGGER IF NOT EXISTS "
            f"{quote(f'{CHANGE_LOG}_no_{action.lower()}')} BEFORE {action} "
            f"ON {quote(CHANGE_LOG)} BEGIN SELECT RAISE(ABORT, 'The GridGIS change log "
            "cannot be edited (GridGIS 变更记录不可修改)'); END"
        )
