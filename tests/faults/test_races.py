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
PAUSE = 0.6  # how long the paused writer waits between reading and writing

DIVIDE_A = ["divide", "{p}", "--community", COMMUNITY, "--min", "250", "--max", "450"]
DIVIDE_B = ["divide", "{p}", "--community", COMMUNITY, "--min", "600", "--max", "1000"]
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


def _on(part, path):  # type: ignore[no-untyped-def]
    """``part`` acting on the project at ``path``."""
    if "argv" not in part:
        return dict(part)
    return {**part, "argv": [a.format(p=path) for a in part["argv"]]}


def _serial(base, tmp, sequences):  # type: ignore[no-untyped-def]
    """name → the signature after running its steps one after the other on a copy.

    All sequences run in one worker (GridGIS is loaded once).
    """
    runs, paths = [], {}
    for name, steps in sequences.items():
        paths[name] = tmp / f"{name}.gpkg"
        shutil.copyfile(base, paths[name])
        runs += [
            {"project": str(paths[name]), "parallel": [_on(step, paths[name])]}
            for step in steps
        ]
    for result in run_worker(runs, tmp / "serial.json"):
        assert result["parties"][0]["exit"] == 0, result["parties"][0]["stderr"]
    return {name: signature(path) for name, path in paths.items()}


def _race(base, tmp, name, orders):  # type: ignore[no-untyped-def]
    """Run each of ``orders`` (two parties, the first paused) RUNS // 2 times.

    The first party signals when it has read (and holds on before writing, or holds
    the lock); the second starts then.
    """
    runs = []
    for k in range(RUNS):
        path = tmp / f"{name}-{k}.gpkg"
        shutil.copyfile(base, path)
        first, second = orders[k % 2]
        signal_file = f"{path}.read"
        runs.append(
            {
                "project": str(path),
                "parallel": [
                    {**_on(first, path), "signal": signal_file},
                    {**_on(second, path), "wait_for": signal_file},
                ],
            }
        )
    return runs, run_worker(runs, tmp / f"{name}.json")


@pytest.mark.slow
def test_two_divisions_of_one_community_exactly_one_lands(base, tmp_path):
    path, _ = base
    a, b = {"argv": DIVIDE_A}, {"argv": DIVIDE_B}
    serial = _serial(path, tmp_path, {"a": [a], "b": [b]})
    outcomes = {serial["a"]: "a", serial["b"]: "b"}
    assert len(outcomes) == 2  # the two divisions differ
    paused = [({**a, "pause": PAUSE}, b), ({**b, "pause": PAUSE}, a)]
    runs, results = _race(path, tmp_path, "two", paused)
    for k, (run, result) in enumerate(zip(runs, results, strict=True)):
        exits = [p["exit"] for p in result["parties"]]
        # Both computed from the same grids: the one that writes second is refused
        # (normally the paused one; on a busy machine it may be the other).
        assert sorted(exits) == [0, 2], result["parties"]
        refused = result["parties"][exits.index(2)]["stderr"]
        assert "was not written" in refused, refused
        assert "gridgis divide" in refused, refused
        assert "Traceback" not in refused
        winner = exits.index(0)
        expected = ("a", "b")[(k + winner) % 2]
        assert outcomes.get(signature(run["project"])) == expected, k  # whole


@pytest.mark.slow
def test_an_edit_committed_while_a_division_computes_refuses_the_division(
    base, tmp_path
):
    path, _ = base
    divide, edit = {"argv": DIVIDE_A}, {"sql": EDIT}
    edit_only = _serial(path, tmp_path, {"edit": [edit]})["edit"]
    orders = [
        ({**divide, "pause": PAUSE}, edit),  # the edit lands while it computes
        ({**edit, "hold": PAUSE}, divide),  # it reads while the edit is being made
    ]
    runs, results = _race(path, tmp_path, "edit", orders)
    for k, (run, result) in enumerate(zip(runs, results, strict=True)):
        division = result["parties"][0 if k % 2 == 0 else 1]
        assert division["exit"] == 2, division["stderr"]
        assert "another program" in division["stderr"], division["stderr"]
        assert "Traceback" not in division["stderr"]
        assert signature(run["project"]) == edit_only  # the edit is kept, alone


@pytest.mark.slow
def test_a_division_and_an_import_into_the_community_serialise(base, tmp_path):
    path, source = base
    divide = {"argv": DIVIDE_A}
    add = {"argv": ["import", "{p}", str(source), "--layer", "buildings",
                    "--map", "id=ID", "--map", "households=HH", "--map", "use=USE"]}  # fmt: skip
    states = _serial(
        path,
        tmp_path,
        {
            "import, divide": [add, divide],
            "divide, import": [divide, add],
            "import": [add],
        },
    )
    import_only = states.pop("import")
    serial = {state: name for name, state in states.items()}
    orders = [({**divide, "pause": PAUSE}, add), ({**add, "pause": PAUSE}, divide)]
    runs, results = _race(path, tmp_path, "import", orders)
    seen = []
    for k, (run, result) in enumerate(zip(runs, results, strict=True)):
        parties = result["parties"]
        division, adding = (parties[0], parties[1]) if k % 2 == 0 else parties[::-1]
        assert adding["exit"] == 0, adding["stderr"]
        state = signature(run["project"])
        if division["exit"] == 2:
            assert "gridgis import" in division["stderr"], division["stderr"]
            assert state == import_only
            seen.append("refused")
        else:
            assert division["exit"] == 0, division["stderr"]
            assert state in serial, k
            seen.append(serial[state])
    # The import landing while the division computes refuses the division.
    assert all(seen[k] == "refused" for k in range(0, RUNS, 2)), seen
