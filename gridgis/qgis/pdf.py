"""Finishing the PDFs QGIS writes: searchable Chinese text, one file per page.

Qt's PDF writer maps each glyph back to the *lowest* Unicode code point that uses it.
Noto CJK SC draws several code points with one glyph — the Kangxi radical ⾥ (U+2FA5)
and 里, ⻓ (U+2ED3) and 长, the traditional 戶 and 户 — so a board's "网格长" and "户数"
came out as "⽹格⻓" and "戶数" when the PDF is searched or copied from. :func:`repair_text`
rewrites the fonts' ToUnicode maps: for every glyph the font shares between code points
it picks the one Simplified Chinese text uses (Latin-1, else GB 2312, else GBK,
else a unified ideograph), read from the font's own character map.

:func:`split_pages` writes every page of a combined PDF as a PDF of its own (the
per-grid boards), copying the page's content as it is.
"""

from __future__ import annotations

import contextlib
import functools
import re
import subprocess
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import pikepdf

_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
#: Blocks whose characters stand for an ideograph in another block.
_ALIAS_BLOCKS = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF))


def _rank(code: int) -> tuple[int, int, int]:
    """Which of several code points drawn alike a text most likely holds (lowest)."""
    unified = 0 if 0x4E00 <= code <= 0x9FFF else 1
    if code < 0x100:
        return (0, unified, code)
    char = chr(code)
    for tier, encoding in enumerate(("gb2312", "gbk"), 1):
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            continue
        return (tier, unified, code)
    return (3, unified, code)


@functools.lru_cache(maxsize=8)
def shared_glyphs(postscript_name: str) -> Mapping[int, int]:
    """For a font: code point → the code point to report for its glyph.

    Only code points whose glyph the font also uses for another code point appear.
    Empty when the font file cannot be found or read.
    """
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}\t%{postscriptname}",
             f":postscriptname={postscript_name}"],
            capture_output=True, text=True, check=True, timeout=20,
        ).stdout.split("\t")  # fmt: skip
        if len(found) != 3 or found[2] != postscript_name:
            return {}
        from fontTools.ttLib import TTFont

        with TTFont(found[0], fontNumber=int(found[1]), lazy=True) as font:
            cmap = dict(font.getBestCmap())
    except (OSError, subprocess.SubprocessError, ValueError, KeyError):
        return {}
    by_glyph: dict[str, list[int]] = defaultdict(list)
    for code, glyph in cmap.items():
        by_glyph[glyph].append(code)
    preferred: dict[int, int] = {}
    for codes in by_glyph.values():
        if len(codes) > 1:
            best = min(codes, key=_rank)
            preferred.update({c: best for c in codes if c != best})
    return preferred


def _ideograph(code: int, shared: Mapping[int, int]) -> int:
    if code in shared:
        return shared[code]
    if not any(lo <= code <= hi for lo, hi in _ALIAS_BLOCKS):
        return code
    normal = unicodedata.normalize("NFKC", chr(code))
    return ord(normal) if len(normal) == 1 and ord(normal) <= 0xFFFF else code


def _fix_destination(token: bytes, shared: Mapping[int, int]) -> bytes:
    digits = token[1:-1]
    if len(digits) != 4:
        return token
    code = int(digits, 16)
    fixed = _ideograph(code, shared)
    return token if fixed == code else b"<%04X>" % fixed


def repair_cmap(cmap: bytes, shared: Mapping[int, int] | None = None) -> bytes:
    r"""A ToUnicode CMap whose glyphs report the code points Chinese text uses.

    ``shared`` comes from :func:`shared_glyphs`; without it, radicals and
    compatibility ideographs are mapped to the ideographs they stand for.

    Examples
    --------
    >>> cmap = b"1 beginbfrange\n<0001> <0002> [<2FA5> <2F79>]\nendbfrange\n"
    >>> repair_cmap(cmap).decode()
    '1 beginbfrange\n<0001> <0002> [<91CC> <7F51>]\nendbfrange\n'
    >>> repair_cmap(b"1 beginbfchar\n<0003> <6236>\nendbfchar", {0x6236: 0x6237})
    b'1 beginbfchar\n<0003> <6237>\nendbfchar'
    """
    shared = shared or {}
    out: list[bytes] = []
    section = b""
    for line in cmap.split(b"\n"):
        stripped = line.strip()
        if stripped.endswith(b"beginbfrange") or stripped.endswith(b"beginbfchar"):
            section = stripped.split()[-1]
        elif stripped in (b"endbfrange", b"endbfchar"):
            section = b""
        elif section:
            sources = 2 if section == b"beginbfrange" else 1
            tokens = list(_HEX.finditer(line))
            if len(tokens) > sources:
                start = tokens[sources].start()
                tail = _HEX.sub(
                    lambda m: _fix_destination(m.group(0), shared), line[start:]
                )
                line = line[:start] + tail
        out.append(line)
    return b"\n".join(out)


def repair_text(pdf: pikepdf.Pdf) -> int:
    """Repair the ToUnicode maps of every font in ``pdf``; return how many changed."""
    changed = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
            continue
        stream = obj.get("/ToUnicode")
        if not isinstance(stream, pikepdf.Stream):
            continue
        data = stream.read_bytes()
        name = str(obj.get("/BaseFont", "")).lstrip("/").split("+")[-1]
        fixed = repair_cmap(data, shared_glyphs(name) if name else None)
        if fixed != data:
            stream.write(fixed)
            changed += 1
    return changed


def finish(
    combined: Path, pages: Sequence[Path] | None = None, *, title: str = ""
) -> None:
    """Repair ``combined`` in place and write its pages to ``pages`` (one file each)."""
    with pikepdf.open(combined, allow_overwriting_input=True) as pdf:
        repair_text(pdf)
        if title:
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta["dc:title"] = title
        if pages is not None:
            if len(pages) != len(pdf.pages):
                raise ValueError(
                    f"{combined} has {len(pdf.pages)} pages, expected {len(pages)}"
                )
            for page, path in zip(pdf.pages, pages, strict=True):
                single = pikepdf.new()
                single.pages.append(page)
                single.docinfo["/Producer"] = pdf.docinfo.get("/Producer", "GridGIS")
                single.save(path)
        pdf.save(combined)


def merge(parts: Sequence[Path], target: Path) -> None:
    """Concatenate the PDFs ``parts`` into ``target``."""
    with contextlib.ExitStack() as stack, pikepdf.new() as pdf:
        for part in parts:
            src = stack.enter_context(pikepdf.open(part))
            pdf.pages.extend(src.pages)
        pdf.save(target)
