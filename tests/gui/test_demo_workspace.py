"""The window opens the user's own copy of the demo, never the shipped file."""

from gridgis.app.main import DEMO_PROJECT, demo_workspace


def test_demo_is_copied_once_into_the_users_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    first = demo_workspace()
    assert first == tmp_path / "gridgis" / "demo.gpkg"
    assert first.read_bytes() == DEMO_PROJECT.read_bytes()
    first.write_bytes(b"the planner's edits")
    assert demo_workspace().read_bytes() == b"the planner's edits"
