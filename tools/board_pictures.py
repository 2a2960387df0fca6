"""Render the board and service-card pictures in ``docs/`` from the demo district.

They are the printed PDFs turned into PNG (what a print shop would see):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/board_pictures.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gridgis.qgis.boards import print_boards  # noqa: E402
from gridgis.qgis.runtime import start_qgis  # noqa: E402

#: A grid with a full staff panel: leader, workers, police, instructor, AB backup.
GRID = "320599001001004"


def png(pdf: Path, target: Path, dpi: int) -> None:
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    print("wrote", target)


def main() -> None:
    start_qgis()
    work = Path(tempfile.mkdtemp(prefix="gridgis-pictures-"))
    try:
        project = work / "demo.gpkg"
        shutil.copyfile(ROOT / "data" / "demo.gpkg", project)
        result = print_boards(
            project, work / "out", grids=[GRID], cards=True, overview=True, workers=1
        )
        docs = ROOT / "docs"
        png(result.board_pages[0], docs / "grid-board.png", 110)
        png(result.card_pages[0], docs / "service-cards.png", 110)
        community = work / "out" / "overview-communities.pdf"
        png(community, docs / "overview-community.png", 60)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
