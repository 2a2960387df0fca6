"""Reading printed PDFs back the way a print shop or a reader would (poppler tools)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

MM_PER_PT = 25.4 / 72


def run(*args: str) -> str:
    return subprocess.run(
        args, capture_output=True, text=True, check=True, encoding="utf-8"
    ).stdout


def text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return run("pdftotext", "-layout", *pages, str(path), "-")


def page_count(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))


def page_size_mm(path: Path, page: int = 1) -> tuple[float, float]:
    info = run("pdfinfo", "-f", str(page), "-l", str(page), str(path))
    match = re.search(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    return float(match.group(1)) * MM_PER_PT, float(match.group(2)) * MM_PER_PT


def fonts(path: Path) -> list[dict[str, str]]:
    lines = run("pdffonts", str(path)).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name, type (1–2 words), encoding, emb, sub, uni, object, id
        rows.append({"name": parts[0], "emb": parts[-5], "uni": parts[-3]})
    return rows


def raster(path: Path, page: int, dpi: int, tmp: Path) -> np.ndarray:
    """Page ``page`` rendered at ``dpi`` as an RGB array."""
    stem = tmp / f"page-{page}-{dpi}"
    run("pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
        "-singlefile", str(path), str(stem))  # fmt: skip
    return np.asarray(Image.open(f"{stem}.png").convert("RGB"))


def crop_mm(image: np.ndarray, dpi: int, x: float, y: float, w: float, h: float):
    scale = dpi / 25.4
    return image[
        int(y * scale) : int((y + h) * scale), int(x * scale) : int((x + w) * scale)
    ]


def words(path: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """Every word on ``page`` with its box in millimetres: (text, x0, y0, x1, y1)."""
    html = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    found = []
    for match in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
        r"([^<]*)</word>",
        html,
    ):
        x0, y0, x1, y1 = (float(v) * MM_PER_PT for v in match.groups()[:4])
        found.append((match.group(5), x0, y0, x1, y1))
    return found
