"""Two writers at once: the outcome is one that running them one after the other gives.

Each race starts two writers on a small project, one paused between reading and
writing (as a long division is) so that the other lands in between, and each is run
with either side first. The final project must equal a serial outcome, and a writer
refused because of the other says so (exit status 2, a message naming the change).
"""

from __future__ import annotations

import shutil

import pytest

from tests.faults.conftest import COMMUNITY, run_worker, signature, small_project

RUNS = 10  # per case; half with each side first
PAUSE = 0.8  # how long the paused writer waits between reading and writing
START = 0.2  # when the other writer starts

DIVIDE_A = ["divide", "{p}", "--community", COMMUNITY, "--grids", "3"]
DIVIDE_B = ["divide", "{p}", "--community", COMMUNITY, "--grids", "5"]
EDIT = ["DELETE FROM grids WHERE code = '320508019044009'"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("races")
    path = small_project(folder / "small.gpkg")
    import geopandas as gpd
    from shapely.geometry import box

    source = folder / "new_buildings.geojson"
    gpd.GeoDataFrame(
        {"ID": ["N1", "N2"], "HH": [300, 280], "USE": ["residential"] * 2},
        geometry=[box(500_205, 3_460_205, 500_225, 3_460_225),
                  box(500_235, 3_460_235, 500_255, 3_460_255)],
        crs=4549,
    ).to_file(source, driver="GeoJSON")  # fmt: skip
    return path, source


def _argv(argv, path):  # type: ignore[no-untyped-def]
    return [a.format(p=path) for a in argv]


def _on(part, path):  # type: ignore[no-untyped-def]
    """``part`` acting on the project at ``path``."""
    return {**part, "argv": _argv(part["argv"], path)} if "argv" in part else part


def _serial(base, tmp, name, steps):  # type: ignore[no-untyped-def]
    """The signature after running ``steps`` one after the other on a copy."""
    path = tmp / f"{name}.gpkg"
    shutil.copyfile(base, path)
    runs = [{"project": str(path), "parallel": [_on(step, path)]} for step in steps]
    for result in run_worker(runs, tmp / f"{name}.json"):
        assert result["parties"][0]["exit"] == 0, result["parties"][0]["stderr"]
    return signature(path)


def _race(base, tmp, name, first, second):  # type: ignore[no-untyped-def]
    """Run ``first`` (paused before writing) and ``second`` meanwhile, RUNS times."""
    runs = []
    for k in range(RUNS):
        path = tmp / f"{name}-{k}.gpkg"
        shutil.copyfile(base, path)
        a, b = (first, second) if k % 2 == 0 else (second, first)
        runs.append(
            {
                "project": str(path),
                "parallel": [
                    {**_on(a, path), "start": 0, "pause": PAUSE},
                    {**_on(b, path), "start": START},
                ],
            }
        )
    return runs, run_worker(runs, tmp / f"{name}.json")


def _cli(argv):  # type: ignore[no-untyped-def]
    return {"argv": argv}


@pytest.mark.slow
def test_two_divisions_of_one_community_exactly_one_lands(base, tmp_path):
    path, _ = base
    outcomes = {
        _serial(path, tmp_path, "a", [_cli(DIVIDE_A)]),
        _serial(path, tmp_path, "b", [_cli(DIVIDE_B)]),
    }
    assert len(outcomes) == 2
    runs = []
    for k in range(RUNS):
        copy = tmp_path / f"two-{k}.gpkg"
        shutil.copyfile(path, copy)
        a, b = (DIVIDE_A, DIVIDE_B) if k % 2 == 0 else (DIVIDE_B, DIVIDE_A)
        runs.append(
            {
                "project": str(copy),
                "parallel": [
                    {"argv": _argv(a, copy), "start": 0, "pause": PAUSE},
                    {"argv": _argv(b, copy), "start": START},
                ],
            }
        )
    results = run_worker(runs, tmp_path / "two.json")
    for run, result in zip(runs, results, strict=True):
        exits = [p["exit"] for p in result["parties"]]
        assert sorted(exits) == [0, 2], result["parties"]
        refused = result["parties"][exits.index(2)]["stderr"]
        assert "was not written" in refused, refused
        assert "gridgis divide" in refused, refused
        assert "Traceback" not in refused
        assert signature(run["project"]) in outcomes  # one division, whole


@pytest.mark.slow
def test_an_edit_committed_while_a_division_computes_refuses_the_division(
    base, tmp_path
):
    path, _ = base
    divide, edit = _cli(DIVIDE_A), {"sql": EDIT}
    serial = {
        _serial(path, tmp_path, "edit-divide", [edit, divide]),
        _serial(path, tmp_path, "divide-edit", [divide, edit]),
    }
    edit_only = _serial(path, tmp_path, "edit", [edit])
    runs, results = _race(path, tmp_path, "edit", divide, edit)
    refused = 0
    for k, (run, result) in enumerate(zip(runs, results, strict=True)):
        parties = result["parties"]
        division = parties[0] if k % 2 == 0 else parties[1]
        state = signature(run["project"])
        if division["exit"] == 2:
            assert "another program" in division["stderr"], division["stderr"]
            assert state == edit_only
            refused += 1
        else:
            assert division["exit"] == 0, division["stderr"]
            assert state in serial
    # When the division is the one paused, the edit lands in between: refused.
    assert refused == RUNS // 2


@pytest.mark.slow
def test_a_division_and_an_import_into_the_community_serialise(base, tmp_path):
    path, source = base
    divide = _cli(DIVIDE_A)
    add = _cli(["import", "{p}", str(source), "--layer", "buildings",
                "--map", "id=ID", "--map", "households=HH", "--map", "use=USE"])  # fmt: skip
    serial = {
        _serial(path, tmp_path, "import-divide", [add, divide]),
        _serial(path, tmp_path, "divide-import", [divide, add]),
    }
    import_only = _serial(path, tmp_path, "import", [add])
    runs, results = _race(path, tmp_path, "import", divide, add)
    refused = 0
    for k, (run, result) in enumerate(zip(runs, results, strict=True)):
        parties = result["parties"]
        division, adding = (parties[0], parties[1]) if k % 2 == 0 else parties[::-1]
        assert adding["exit"] == 0, adding["stderr"]
        state = signature(run["project"])
        if division["exit"] == 2:
            assert "gridgis import" in division["stderr"], division["stderr"]
            assert state == import_only
            refused += 1
        else:
            assert division["exit"] == 0, division["stderr"]
            assert state in serial
    assert refused == RUNS // 2
