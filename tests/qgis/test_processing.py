"""The GridGIS Processing algorithms run with ``processing.run`` on the demo district."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from qgis.core import (
    QgsApplication,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)

from gridgis.core.divide import division_history
from gridgis.core.i18n import set_language
from gridgis.core.store import open_project
from gridgis.qgis.processing.i18n import install_translation
from gridgis.qgis.processing.provider import ALGORITHMS, GridGisProvider

pytestmark = pytest.mark.qgis


@pytest.fixture(autouse=True)
def english():
    """Messages in English whatever an earlier test chose (``gridgis --lang``)."""
    set_language("en")
    yield
    set_language(None)


UNDIVIDED = "320599002002"  # 康乐社区: no grids in the demo
FAULTS = {
    "topology.gap": "320599001001",
    "topology.overlap": "320599001002001",
    "capacity.above_band": "320599001003001",
    "staffing.missing_role": "320599003002004",
}


@pytest.fixture(scope="module")
def provider(qgis_processing):
    """The GridGIS provider in QGIS's Processing registry (as the plugin adds it)."""
    registry = QgsApplication.processingRegistry()
    ours = GridGisProvider()
    assert registry.addProvider(ours)
    yield ours
    registry.removeProvider(ours)


@pytest.fixture
def run(provider):
    import processing

    return processing.run


class Recording(QgsProcessingFeedback):
    """Processing feedback that keeps every progress value shown."""

    def __init__(self, cancel_at: float | None = None) -> None:
        super().__init__()
        self.values: list[float] = []
        self.cancel_at = cancel_at
        self.progressChanged.connect(self._record)

    def _record(self, value: float) -> None:
        self.values.append(value)
        if self.cancel_at is not None and value >= self.cancel_at:
            self.cancel()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def opened(path: Path, layer: str | None = None) -> QgsVectorLayer:
    source = f"{path}|layername={layer}" if layer else str(path)
    result = QgsVectorLayer(source, "out", "ogr")
    assert result.isValid(), source
    assert result.crs().isValid()
    return result


def test_provider_lists_the_algorithms_with_help_in_both_languages(provider):
    ids = [a.id() for a in provider.algorithms()]
    assert sorted(ids) == sorted(f"gridgis:{a.ALGORITHM}" for a in ALGORITHMS)
    assert set(ids) == {
        "gridgis:validate",
        "gridgis:link",
        "gridgis:divide",
        "gridgis:boards",
        "gridgis:export",
    }
    for algorithm in provider.algorithms():
        assert algorithm.shortHelpString()
        assert algorithm.group()
        assert not algorithm.icon().isNull()
        assert algorithm.parameterDefinition("PROJECT") is not None
    validate = provider.algorithm("validate")
    assert validate.displayName() == "Validate project"
    try:
        # The provider loads its catalogue before it makes its algorithms, as QGIS
        # does when it registers the provider.
        install_translation("zh")
        provider.refreshAlgorithms()
        validate = provider.algorithm("validate")
        assert validate.displayName() == "检查项目"
        assert "拓扑" in validate.shortHelpString()
        assert validate.group() == "检查与关联"
        for algorithm in provider.algorithms():
            # every name, group, help text and parameter has its Chinese
            for text in (
                algorithm.displayName(),
                algorithm.group(),
                algorithm.shortHelpString(),
            ):
                assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
            for parameter in algorithm.parameterDefinitions():
                assert any(
                    "\u4e00" <= ch <= "\u9fff" for ch in parameter.description()
                ), parameter.name()
    finally:
        install_translation("en")
        provider.refreshAlgorithms()
    assert provider.algorithm("validate").displayName() == "Validate project"


def test_every_text_of_the_algorithms_is_translated():
    import xml.etree.ElementTree as ET

    from gridgis.qgis.processing.i18n import CATALOGUES

    source = CATALOGUES["zh"].with_suffix(".ts")
    messages = ET.parse(source).getroot().iter("message")
    untranslated = [
        m.findtext("source")
        for m in messages
        if m.find("translation").get("type") == "unfinished"
        or not m.findtext("translation")
    ]
    assert untranslated == []


def test_validate_outputs_the_four_seeded_faults_and_leaves_the_project_alone(
    run, demo_copy, tmp_path
):
    before = digest(demo_copy)
    feedback = Recording()
    out = tmp_path / "issues.gpkg"
    result = run(
        "gridgis:validate",
        {"PROJECT": str(demo_copy), "OUTPUT": str(out)},
        feedback=feedback,
    )
    assert result["ERRORS"] == 4
    assert result["WARNINGS"] == 0
    layer = opened(Path(result["OUTPUT"]))
    assert layer.crs().authid() == "EPSG:4549"
    assert QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.PolygonGeometry
    found = {f["rule"]: f for f in layer.getFeatures()}
    assert {rule: f["code"] for rule, f in found.items()} == FAULTS
    assert all(f["severity"] == "error" for f in found.values())
    assert "belong to no grid" in found["topology.gap"]["message_en"]
    assert "不属于任何网格" in found["topology.gap"]["message_zh"]
    assert found["topology.gap"].geometry().area() == pytest.approx(180, abs=1)
    assert found["topology.overlap"].geometry().area() == pytest.approx(180, abs=1)
    assert feedback.values[-1] == pytest.approx(100)
    assert feedback.values == sorted(feedback.values)
    assert digest(demo_copy) == before  # nothing written by default


def test_validate_one_community_and_store_the_findings(run, demo_copy):
    result = run(
        "gridgis:validate",
        {
            "PROJECT": str(demo_copy),
            "COMMUNITY": "320599001002",
            "WRITE_LAYER": True,
            "OUTPUT": "memory:",
        },
    )
    rules = [f["rule"] for f in result["OUTPUT"].getFeatures()]
    assert rules == ["topology.overlap"]
    stored = open_project(demo_copy).read("issues")
    assert list(stored["rule"]) == ["topology.overlap"]


def test_validate_says_what_is_wrong_with_the_input(run, tmp_path):
    with pytest.raises(QgsProcessingException, match="no GridGIS project file"):
        run(
            "gridgis:validate",
            {"PROJECT": str(tmp_path / "none.gpkg"), "OUTPUT": "memory:"},
        )
    not_a_project = tmp_path / "other.gpkg"
    not_a_project.write_bytes(b"not a geopackage")
    with pytest.raises(QgsProcessingException) as raised:
        run(
            "gridgis:validate",
            {"PROJECT": str(not_a_project), "OUTPUT": "memory:"},
        )
    assert "GeoPackage" in str(raised.value)


def test_validate_stops_when_cancelled(run, demo_copy):
    feedback = Recording(cancel_at=30)
    with pytest.raises(QgsProcessingException):
        run(
            "gridgis:validate",
            {"PROJECT": str(demo_copy), "OUTPUT": "memory:", "WRITE_LAYER": True},
            feedback=feedback,
        )
    assert max(feedback.values) < 100
    assert len(open_project(demo_copy).read("issues")) == 0


def test_link_writes_the_grid_codes_back(run, demo_copy):
    store = open_project(demo_copy)
    buildings = store.read("buildings", columns=["id", "grid_code"])
    linked = buildings["grid_code"].copy()
    assert linked.notna().sum() > 500
    cleared = buildings.loc[linked.notna(), []].assign(grid_code=None).iloc[:300]
    with store.transaction() as tx:
        tx.update("buildings", cleared)
    assert store.read("buildings", columns=["grid_code"])[
        "grid_code"
    ].notna().sum() == (linked.notna().sum() - 300)

    result = run("gridgis:link", {"PROJECT": str(demo_copy)})
    assert result["BUILDINGS"] == 300
    assert result["OUTPUT"] == str(demo_copy)
    after = open_project(demo_copy).read("buildings", columns=["grid_code"])
    assert after["grid_code"].equals(linked)


def test_divide_outputs_grids_in_band_and_the_report_without_writing(
    run, demo_copy, tmp_path
):
    before = digest(demo_copy)
    report = tmp_path / "report.html"
    result = run(
        "gridgis:divide",
        {
            "PROJECT": str(demo_copy),
            "COMMUNITY": UNDIVIDED,
            "OUTPUT": str(tmp_path / "grids.gpkg"),
            "REPORT": str(report),
        },
    )
    grids = opened(Path(result["OUTPUT"]))
    features = list(grids.getFeatures())
    assert len(features) == result["GRID_COUNT"] >= 8
    residential = [f for f in features if f["kind"] == "residential"]
    assert residential
    assert all(300 <= f["households"] <= 500 for f in residential)
    assert result["IN_BAND"] == len(residential)
    assert all(f["code"].startswith(UNDIVIDED) for f in features)
    assert grids.fields().field("households").typeName().lower().startswith("int")
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in text
    assert f"({UNDIVIDED})" in text
    assert "grids in band" in text
    assert f"{len(residential)}/{len(residential)} (100%)" in text
    assert result["REVISION"] == 0
    assert digest(demo_copy) == before


def test_divide_writes_into_the_project_when_asked(run, demo_copy, tmp_path):
    result = run(
        "gridgis:divide",
        {
            "PROJECT": str(demo_copy),
            "COMMUNITY": UNDIVIDED,
            "MIN_HOUSEHOLDS": 250,
            "MAX_HOUSEHOLDS": 450,
            "WRITE": True,
            "OUTPUT": "memory:",
            "REPORT": str(tmp_path / "report.html"),
        },
    )
    assert result["REVISION"] == 1
    store = open_project(demo_copy)
    written = store.read("grids", where={"community_code": UNDIVIDED})
    assert len(written) == result["GRID_COUNT"]
    homes = written.loc[written["kind"] == "residential", "households"]
    assert homes.between(250, 450).all()
    assert list(division_history(store)["revision"]) == [1]


def test_divide_stops_when_cancelled_and_writes_nothing(run, demo_copy, tmp_path):
    feedback = Recording(cancel_at=30)
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        run(
            "gridgis:divide",
            {
                "PROJECT": str(demo_copy),
                "COMMUNITY": UNDIVIDED,
                "WRITE": True,
                "OUTPUT": "memory:",
                "REPORT": str(tmp_path / "r.html"),
            },
            feedback=feedback,
        )
    assert max(feedback.values) < 80
    assert (
        open_project(demo_copy).read("grids", where={"community_code": UNDIVIDED}).empty
    )
    assert not (tmp_path / "r.html").exists()


def test_divide_refuses_an_unknown_community(run, demo_copy, tmp_path):
    with pytest.raises(QgsProcessingException):
        run(
            "gridgis:divide",
            {
                "PROJECT": str(demo_copy),
                "COMMUNITY": "320599009009",
                "OUTPUT": "memory:",
                "REPORT": str(tmp_path / "r.html"),
            },
        )


def test_export_writes_one_shapefile_bundle_per_community(run, demo_copy, tmp_path):
    out = tmp_path / "bundles"
    result = run(
        "gridgis:export",
        {"PROJECT": str(demo_copy), "CRS": 1, "PRIVACY": True, "OUTPUT": str(out)},
    )
    bundles = sorted(out.glob("*.zip"))
    assert result["FILES"] == len(bundles) == 12
    kangle = next(p for p in bundles if p.name.startswith(UNDIVIDED))
    with zipfile.ZipFile(kangle) as archive:
        names = set(archive.namelist())
        assert archive.read("buildings.cpg").decode().strip().upper() == "UTF-8"
        assert (
            "GCS_China_Geodetic_Coordinate_System_2000"
            in archive.read("buildings.prj").decode()
        )
    for layer in ("communities", "buildings", "facilities", "roads"):
        assert {
            f"{layer}.{ext}" for ext in ("shp", "shx", "dbf", "cpg", "prj")
        } <= names
    assert "staff.dbf" in names
    assert "aliases.csv" in names
    shapes = QgsVectorLayer(f"/vsizip/{kangle}/buildings.shp", "b", "ogr")
    assert shapes.isValid()
    assert shapes.crs().authid() == "EPSG:4490"
    assert shapes.featureCount() > 100
    staff = QgsVectorLayer(f"/vsizip/{kangle}/staff.dbf", "s", "ogr")
    assert staff.isValid()
    assert staff.fields().indexOf("PHONE") == -1  # privacy: no phones


def test_export_one_bundle_and_refuse_a_full_folder(run, demo_copy, tmp_path):
    out = tmp_path / "all"
    result = run(
        "gridgis:export",
        {"PROJECT": str(demo_copy), "BY": 2, "LAYERS": [2], "OUTPUT": str(out)},
    )
    assert result["FILES"] == 1
    with zipfile.ZipFile(out / "demo.zip") as archive:
        assert sorted(archive.namelist()) == [
            "aliases.csv",
            "grids.cpg",
            "grids.dbf",
            "grids.prj",
            "grids.shp",
            "grids.shx",
        ]
    with pytest.raises(QgsProcessingException):
        run(
            "gridgis:export",
            {"PROJECT": str(demo_copy), "BY": 2, "OUTPUT": str(out)},
        )


def test_boards_prints_one_page_per_grid_of_a_community(run, demo_copy, tmp_path):
    from tests.qgis import pdftools

    out = tmp_path / "boards"
    feedback = Recording()
    result = run(
        "gridgis:boards",
        {
            "PROJECT": str(demo_copy),
            "COMMUNITY": "320599003002",  # 桃园社区: 8 grids, one without a leader
            "TEMPLATE": 1,
            "CARDS": True,
            "OUTPUT": str(out),
        },
        feedback=feedback,
    )
    assert result["GRIDS"] == 8
    combined = Path(result["BOARDS_PDF"])
    assert combined == out / "boards.pdf"
    assert pdftools.page_count(combined) == 8
    width, height = pdftools.page_size_mm(combined)
    assert sorted((round(width), round(height))) == [210, 297]  # A4
    assert len(list((out / "boards").glob("320599003002*.pdf"))) == 8
    assert pdftools.page_count(out / "service-cards.pdf") == 8
    assert "网格长" in pdftools.text(combined, page=1)
    assert all(f["emb"] == "yes" for f in pdftools.fonts(combined))
    assert feedback.values[-1] == pytest.approx(100)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_boards_refuses_a_community_and_a_street_at_once(run, demo_copy, tmp_path):
    with pytest.raises(QgsProcessingException, match="not both"):
        run(
            "gridgis:boards",
            {
                "PROJECT": str(demo_copy),
                "COMMUNITY": "320599003002",
                "STREET": "320599003",
                "OUTPUT": str(tmp_path / "b"),
            },
        )


def test_algorithms_run_again_and_again_in_qgis_background_tasks(
    provider, demo_copy, tmp_path, qtbot
):
    """QGIS Desktop runs a Toolbox algorithm as a task on a pooled thread."""
    from qgis.core import QgsProcessingAlgRunnerTask, QgsProcessingContext

    runs = [
        ("gridgis:validate", {"OUTPUT": "TEMPORARY_OUTPUT"}),
        ("gridgis:divide", {"COMMUNITY": UNDIVIDED, "OUTPUT": "TEMPORARY_OUTPUT"}),
        ("gridgis:link", {}),
        ("gridgis:export", {"BY": 2, "LAYERS": [0]}),
    ] * 2
    for k, (alg_id, extra) in enumerate(runs):
        parameters = {"PROJECT": str(demo_copy), **extra}
        if alg_id == "gridgis:divide":
            parameters["REPORT"] = str(tmp_path / f"report{k}.html")
        if alg_id == "gridgis:export":
            parameters["OUTPUT"] = str(tmp_path / f"export{k}")
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        feedback = QgsProcessingFeedback()  # the task refers to it: keep it alive
        task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
        with qtbot.waitSignal(task.executed, timeout=60000) as blocker:
            QgsApplication.taskManager().addTask(task)
        ok, results = blocker.args
        assert ok, alg_id
        if alg_id == "gridgis:validate":
            assert results["ERRORS"] == 4
        if alg_id == "gridgis:divide":
            assert results["IN_BAND"] >= 8


def test_outputs_loaded_into_qgis_look_like_the_project_layers(
    provider, demo_copy, tmp_path
):
    import processing

    project = QgsProject.instance()
    before = set(project.mapLayers())
    processing.runAndLoadResults(
        "gridgis:divide",
        {
            "PROJECT": str(demo_copy),
            "COMMUNITY": UNDIVIDED,
            "OUTPUT": "TEMPORARY_OUTPUT",
            "REPORT": str(tmp_path / "report.html"),
        },
    )
    processing.runAndLoadResults(
        "gridgis:validate", {"PROJECT": str(demo_copy), "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    added = [project.mapLayer(i) for i in set(project.mapLayers()) - before]
    try:
        by_fields = {layer.fields().names()[0]: layer for layer in added}
        grids, issues = by_fields["code"], by_fields["rule"]
        assert grids.renderer().type() == "categorizedSymbol"
        assert grids.fields().field("households").alias() == "households"
        assert grids.fields().field("ab_partner").alias() == "AB partner grid"
        assert issues.renderer().classAttribute() == "severity"
        assert issues.fields().field("message_en").alias() == "message (English)"
        from qgis.core import QgsExpressionContextUtils

        layer_scope = QgsExpressionContextUtils.layerScope(grids)
        assert int(layer_scope.variable("gridgis_max_residential")) == 500
        scope = project.customVariables()
        assert (scope["gridgis_min_residential"], scope["gridgis_max_residential"]) == (
            300,
            500,
        )
    finally:
        project.removeMapLayers([layer.id() for layer in added])


def test_layers_of_a_written_project_are_redrawn(run, demo_copy, tmp_path):
    from gridgis.qgis.layers import open_layer

    project = QgsProject.instance()
    grids = open_layer(demo_copy, "grids")
    project.addMapLayer(grids)
    try:
        assert grids.featureCount() == 57
        run(
            "gridgis:divide",
            {
                "PROJECT": str(demo_copy),
                "COMMUNITY": UNDIVIDED,
                "WRITE": True,
                "OUTPUT": "memory:",
                "REPORT": str(tmp_path / "r.html"),
            },
        )
        assert grids.featureCount() > 57
    finally:
        project.removeMapLayer(grids.id())
