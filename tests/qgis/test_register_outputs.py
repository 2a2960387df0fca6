"""The information base on paper and in files: ledgers, and no personal data leaking.

A roster of residents is imported into a copy of the demo district on the command
line; then the ledger (XLSX and PDF), stats, exports of every format, boards and
service cards are made, and every output file is searched for the residents' ID
numbers and phones.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gridgis.cli import main
from gridgis.core.register.identity import check_digit, mask_id
from gridgis.core.stats import project_stats
from gridgis.core.store import open_project
from tests.qgis import pdftools

pytestmark = pytest.mark.qgis

GRID = "320599001001001"
COMMUNITY = "320599001001"
#: Buildings of the grid (and their addresses in the demo).
HOMES = [("玉兰路51号", "1幢"), ("玉兰路53号", "2幢"), ("玉兰路43号", "3幢")]
CATEGORIES = ["党员", "低保", "独居老人", "高龄", "", "退役军人"]


def run(*args):
    result = CliRunner().invoke(main, ["--lang", "zh", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def _people() -> list[dict[str, str]]:
    people = []
    for k in range(30):
        body = f"320502{1940 + k:04d}{1 + k % 12:02d}{1 + k % 28:02d}{100 + k:03d}"
        road, number = HOMES[k % 3]
        people.append(
            {
                "name": f"居民{k}",
                "id": body + check_digit(body),
                "phone": f"139{k:08d}",
                "address": f"{road}{number}{1 + k % 2}单元{100 * (1 + k % 6) + 1}室",
                "category": CATEGORIES[k % len(CATEGORIES)],
            }
        )
    return people


@pytest.fixture(scope="module")
def registered(tmp_path_factory):
    from tests.conftest import DEMO

    folder = tmp_path_factory.mktemp("register")
    project = folder / "demo.gpkg"
    shutil.copyfile(DEMO, project)
    people = _people()
    roster = folder / "居民登记.csv"
    lines = ["姓名,身份证号,联系电话,重点人员类别,标准地址"] + [
        f"{p['name']},{p['id']},{p['phone']},{p['category']},{p['address']}"
        for p in people
    ]
    roster.write_bytes("\n".join(lines).encode("gbk"))
    output = run("import", project, roster, "--layer", "residents")
    assert "居民 30 人" in output
    return project, people, folder


def test_ledger_workbook_and_pdf_hold_the_grid_figures(registered):
    project, people, folder = registered
    out = folder / "ledger"
    run("ledger", project, "--grid", GRID, "--out", out)
    (book_path,) = out.glob("*.xlsx")
    (pdf_path,) = out.glob("*.pdf")
    figures = project_stats(open_project(project)).grids.set_index("code").loc[GRID]
    book = load_workbook(book_path)
    assert book.sheetnames == [
        "概况", "重点人员统计", "房屋", "居民", "重点户", "设施", "工作人员",
    ]  # fmt: skip
    summary = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=3, values_only=True)}
    assert summary["网格编码"] == GRID
    assert summary["户数"] == figures["households"]
    assert summary["登记居民"] == 30
    counts = dict(book["重点人员统计"].iter_rows(min_row=2, values_only=True))
    assert counts["党员"] == 5
    assert counts["残疾"] == 0
    residents = list(book["居民"].iter_rows(min_row=2, values_only=True))
    assert len(residents) == 30
    ids = {r[3] for r in residents}
    assert mask_id(people[0]["id"]) in ids
    assert not ids & {p["id"] for p in people}
    assert book["重点户"].max_row > 1
    assert book["工作人员"].max_row > 1

    text = pdftools.text(pdf_path)
    assert pdftools.page_count(pdf_path) == 1
    assert "幸福里第1网格台账" in text
    assert "戶" not in text
    assert f"户数\uff1a{figures['households']}" in text
    assert "登记居民\uff1a30" in text
    assert "党员 5 人" in text

    personal = folder / "ledger-personal"
    run(
        "ledger",
        project,
        "--grid",
        GRID,
        "--out",
        personal,
        "--with-personal-data",
        "--no-pdf",
    )
    (book_path,) = personal.glob("*.xlsx")
    cells = {
        str(v) for row in load_workbook(book_path)["居民"].iter_rows(values_only=True)
        for v in row
    }  # fmt: skip
    assert {p["id"] for p in people} <= cells


def _texts(path: Path) -> list[bytes]:
    """What a file says, as bytes to search (archives and PDFs opened up)."""
    if path.suffix == ".pdf":
        return [pdftools.text(path).encode()]
    if path.suffix in {".xlsx", ".zip"}:
        with zipfile.ZipFile(path) as archive:
            out = []
            for name in archive.namelist():
                data = archive.read(name)
                if name.endswith((".zip", ".xlsx")):
                    inner = path.parent / f".{path.stem}-{Path(name).name}"
                    inner.write_bytes(data)
                    out += _texts(inner)
                    inner.unlink()
                else:
                    out.append(data)
            return out
    return [path.read_bytes()]


@pytest.mark.slow
def test_no_output_without_personal_data_holds_an_id_number_or_phone(registered):
    from gridgis.qgis.boards import print_boards

    project, people, folder = registered
    out = folder / "outputs"
    out.mkdir()
    for fmt, target in [
        ("gpkg", out / "all.gpkg"),
        ("xlsx", out / "all.xlsx"),
        ("csv", out / "csv"),
        ("shp", out / "shp"),
        ("geojson", out / "geojson"),
    ]:
        run("export", project, "--format", fmt, "--out", target)
    run("export", project, "--layers", "houses,residents", "--format", "csv",
        "--out", out / "register")  # fmt: skip
    run("export", project, "--layers", "residents", "--format", "xlsx",
        "--out", out / "residents.xlsx")  # fmt: skip
    run("export", project, "--by", "community", "--format", "gpkg",
        "--out", out / "bundles")  # fmt: skip
    run("ledger", project, "--community", COMMUNITY, "--out", out / "ledgers")
    run("stats", project, "--categories", "--grids", "--xlsx", out / "stats.xlsx")
    print_boards(project, out / "boards", community=COMMUNITY, cards=True, workers=1)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 20
    secrets = [p["id"].encode() for p in people] + [p["phone"].encode() for p in people]
    leaks = [
        (str(path.relative_to(out)), secret.decode())
        for path in files
        for text in _texts(path)
        for secret in secrets
        if secret in text
    ]
    assert leaks == []
    # ... while the register export with personal data asked for holds them.
    run("export", project, "--layers", "residents", "--format", "csv",
        "--with-personal-data", "--out", out / "personal")  # fmt: skip
    written = b"".join(p.read_bytes() for p in (out / "personal").rglob("*.csv"))
    assert all(s in written for s in secrets)
