"""dBASE tables, the attribute part of a shapefile: writing, and telling the text encoding.

Two traps live here. Field names hold at most 10 *bytes*: a Chinese name in UTF-8 fits 3
characters, in GBK 5, and a careless writer cuts a character in half. And old Chinese
shapefiles are GBK without a ``.cpg`` file, so a reader that assumes Latin-1 or UTF-8
shows mojibake. :func:`field_names` never cuts a character; :func:`detect_encoding`
decides between UTF-8 and GBK/GB18030 from the bytes themselves.

Examples
--------
>>> field_names(["所属社区网格员", "HH"], "utf-8")
['所属社', 'HH']
>>> field_names(["所属社区网格员", "所属社区网格长"], "gbk")
['所属社区网', '所属社区_1']
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridgis.core.errors import ExportError, InputFileError
from gridgis.core.i18n import Text
from gridgis.core.schema import FieldType

#: dBASE limits.
MAX_NAME_BYTES = 10
MAX_TEXT_BYTES = 254
_CHUNK = 100_000


@dataclass(frozen=True)
class DbfEncoding:
    """A text encoding a shapefile can declare."""

    key: str
    """Name used by GridGIS (``utf-8``, ``gbk``)."""
    codec: str
    """Python codec."""
    cpg: str
    """Content of the ``.cpg`` file."""
    ldid: int
    """dBASE language driver ID written into the table header."""


ENCODINGS: dict[str, DbfEncoding] = {
    "utf-8": DbfEncoding("utf-8", "utf-8", "UTF-8", 0x00),
    # ArcMap ≤ 10.2 and other Windows software of a Chinese locale: code page 936.
    "gbk": DbfEncoding("gbk", "gbk", "936", 0x4D),
}
_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "65001": "utf-8",
    "gbk": "gbk",
    "cp936": "gbk",
    "936": "gbk",
    "gb2312": "gbk",
}


def export_encoding(name: str) -> DbfEncoding:
    """The encoding called ``name`` for writing (UTF-8 or GBK).

    Raises
    ------
    ExportError
        For any other name.
    """
    key = _ALIASES.get(str(name).strip().lower())
    if key is None:
        raise ExportError(
            f"Shapefiles are written in UTF-8 (the default) or GBK (for ArcMap 10.2 and "
            f"older), not '{name}'. Choose --encoding utf-8 or --encoding gbk.",
            f"Shapefile 只能以 UTF-8(默认)或 GBK(供 ArcMap 10.2 及更早版本)编码写出,"
            f"不支持“{name}”。请选择 --encoding utf-8 或 --encoding gbk。",
        )
    return ENCODINGS[key]


@dataclass(frozen=True)
class Column:
    """One column to write: its name in the file, its type and its values.

    The values are a pandas Series or an Arrow array (as GDAL's Arrow reader gives
    them; text then goes from UTF-8 buffers to the table without Python strings).
    """

    name: str
    type: FieldType
    values: Any
    width: int | None = None
    """Smallest width in bytes, so that users can edit longer values later."""


# -- field names ------------------------------------------------------------------


def _cut(name: str, codec: str, limit: int) -> str:
    """The longest prefix of ``name`` whose encoding fits ``limit`` bytes."""
    out = ""
    for char in name:
        if len((out + char).encode(codec)) > limit:
            break
        out += char
    return out


def field_names(names: Sequence[str], codec: str) -> list[str]:
    """Names that fit a dBASE header in ``codec``: ≤10 bytes, whole characters, unique.

    Names that fit are kept; longer ones are cut before the character that would
    overflow, and clashes get a ``_1``, ``_2`` … suffix (still within 10 bytes).
    """
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        try:
            candidate = _cut(str(name), codec, MAX_NAME_BYTES) or "FIELD"
        except UnicodeEncodeError:
            candidate = "FIELD"
        k = 0
        while candidate.upper() in taken:
            k += 1
            suffix = f"_{k}"
            candidate = _cut(str(name), codec, MAX_NAME_BYTES - len(suffix)) + suffix
        taken.add(candidate.upper())
        out.append(candidate)
    return out


# -- writing ------------------------------------------------------------------------


def _blank(n: int, width: int) -> np.ndarray:
    return np.full((n, width), 0x20, dtype=np.uint8)


def _left(encoded: list[bytes], width: int) -> np.ndarray:
    """Left-aligned, space-padded byte matrix of ``encoded`` values."""
    n = len(encoded)
    if width == 0 or n == 0:
        return _blank(n, width)
    matrix = np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(n, width)
    matrix = matrix.copy()
    matrix[matrix == 0] = 0x20
    return matrix


def _digits(ints: np.ndarray, missing: np.ndarray, width: int) -> np.ndarray:
    """Right-aligned decimal digits of integers (blank where missing), arithmetically."""
    out = _blank(len(ints), width)
    rest = np.where(missing, 0, np.abs(ints))
    length = np.zeros(len(ints), dtype=np.int64)
    for k in range(width - 1, -1, -1):
        write = ((rest > 0) | (k == width - 1)) & ~missing
        out[write, k] = (48 + rest[write] % 10).astype(np.uint8)
        length += write
        rest //= 10
        if not rest.any():
            break
    negative = (ints < 0) & ~missing
    if negative.any():  # the sign goes just left of the first digit
        out[np.flatnonzero(negative), width - 1 - length[negative]] = ord("-")
    return out


def _right(texts: np.ndarray, width: int) -> np.ndarray:
    """Right-aligned, space-padded byte matrix of a bytes array (numbers)."""
    n = len(texts)
    if n == 0:
        return _blank(0, width)
    left = np.asarray(texts, dtype=f"S{width}").view(np.uint8).reshape(n, width)
    lengths = (left != 0).sum(axis=1)
    shift = width - lengths
    cols = np.arange(width)[None, :] - shift[:, None]
    out = np.take_along_axis(left, np.clip(cols, 0, width - 1), axis=1)
    out = np.where(cols >= 0, out, 0x20).astype(np.uint8)
    return out


@dataclass(frozen=True)
class _Encoded:
    type: bytes
    width: int
    decimals: int
    matrix: np.ndarray


def _is_arrow(values: Any) -> bool:
    return type(values).__module__.startswith("pyarrow")


def _arrow(values: Any) -> Any:
    """One Arrow array from an array or a chunked array."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def _as_series(values: Any) -> pd.Series:
    return _arrow(values).to_pandas() if _is_arrow(values) else values


def _encode_utf8_arrow(column: Column, warnings: list[Text]) -> _Encoded:
    """UTF-8 text from Arrow buffers, without a Python string per value."""
    import pyarrow as pa

    array = _arrow(column.values)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.string())
    n = len(array)
    buffers = array.buffers()
    width_type = "<i8" if pa.types.is_large_string(array.type) else "<i4"
    offsets = np.frombuffer(buffers[1], dtype=width_type)[
        array.offset : array.offset + n + 1
    ].astype(np.int64)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    lengths = np.diff(offsets)
    nulls = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if (lengths[nulls] != 0).any():  # pragma: no cover - Arrow allows it, GDAL does not
        series = Column(column.name, column.type, array.to_pandas(), column.width)
        return _encode_text(series, "utf-8", warnings)
    keep = lengths.copy()
    long_rows = np.flatnonzero(lengths > MAX_TEXT_BYTES)
    for row in long_rows:
        cut = int(offsets[row]) + MAX_TEXT_BYTES
        while cut > offsets[row] and (data[cut] & 0xC0) == 0x80:
            cut -= 1  # never end inside a character
        keep[row] = cut - offsets[row]
    if len(long_rows):
        warnings.append(_cut_warning(column.name, len(long_rows)))
    width = min(max(int(keep.max(initial=0)), column.width or 1, 1), MAX_TEXT_BYTES)
    matrix = _blank(n, width)
    columns = np.arange(width)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        block = data[offsets[start] : offsets[stop]]
        if len(long_rows) and ((long_rows >= start) & (long_rows < stop)).any():
            owner = np.repeat(np.arange(stop - start), lengths[start:stop])
            position = (
                np.arange(len(block)) - (offsets[start:stop] - offsets[start])[owner]
            )
            block = block[position < keep[start:stop][owner]]
        inside = columns[None, :] < keep[start:stop, None]
        matrix[start:stop][inside] = block
    return _Encoded(b"C", width, 0, matrix)


def _cut_warning(name: str, count: int) -> Text:
    return Text(
        f"字段 {name} 有 {count} 个值超过 254 字节,已在完整字符处截断。",
        f"Field {name}: {count} value(s) were longer than 254 bytes and were cut at "
        "a character boundary.",
    )


def _encode_text(column: Column, codec: str, warnings: list[Text]) -> _Encoded:
    if _is_arrow(column.values):
        if codec == "utf-8":
            return _encode_utf8_arrow(column, warnings)
        column = Column(
            column.name, column.type, _as_series(column.values), column.width
        )
    values = column.values
    mask = values.isna().to_numpy()
    texts = values.astype(object).to_numpy()
    encoded: list[bytes] = []
    bad: list[tuple[int, str]] = []
    for i, (value, missing) in enumerate(zip(texts, mask, strict=True)):
        if missing:
            encoded.append(b"")
            continue
        text = value if isinstance(value, str) else str(value)
        try:
            encoded.append(text.encode(codec))
        except UnicodeEncodeError:
            encoded.append(b"")
            bad.append((i, text))
    if bad:
        rows = ", ".join(f"{i + 1} ({t!r})" for i, t in bad[:5])
        raise ExportError(
            f"Field {column.name}: {len(bad)} value(s) hold characters that {codec.upper()} "
            f"cannot store, for example rows {rows}. Export in UTF-8 instead.",
            f"字段 {column.name} 有 {len(bad)} 个值含有 {codec.upper()} 无法表示的字符"
            f"(例如第 {rows} 行)。请改用 UTF-8 编码导出。",
        )
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    too_long = np.flatnonzero(lengths > MAX_TEXT_BYTES)
    for i in too_long:
        cut = encoded[i][:MAX_TEXT_BYTES].decode(codec, errors="ignore")
        encoded[i] = cut.encode(codec)
    if len(too_long):
        warnings.append(_cut_warning(column.name, len(too_long)))
    width = max(int(lengths.max(initial=0)), column.width or 1, 1)
    width = min(width, MAX_TEXT_BYTES)
    return _Encoded(b"C", width, 0, _left(encoded, width))


def _encode_integer(column: Column) -> _Encoded:
    if _is_arrow(column.values):
        import pyarrow.compute as pc

        array = _arrow(column.values)
        mask = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        ints = np.asarray(pc.fill_null(array, 0).to_numpy(), dtype=np.int64)
    else:
        values = column.values.astype("Int64")
        mask = np.asarray(values.isna(), dtype=bool)
        ints = np.asarray(values.fillna(0).to_numpy(dtype=np.int64))
    present = np.abs(ints[~mask])
    longest = len(str(int(present.max()))) if len(present) else 1
    longest += int((ints[~mask] < 0).any())
    width = max(longest, column.width or 9)
    return _Encoded(b"N", width, 0, _digits(ints, mask, width))


def _encode_real(column: Column) -> _Encoded:
    floats = pd.to_numeric(_as_series(column.values), errors="coerce").to_numpy(
        dtype=float
    )
    mask = ~np.isfinite(floats)
    texts = np.char.mod(b"%.15g", np.where(mask, 0.0, floats)).astype("S24")
    texts[mask] = b""
    width = max(int(np.char.str_len(texts).max(initial=0)), 3)
    decimals = min(15, width - 2)
    return _Encoded(b"N", max(width, 24), decimals, _right(texts, max(width, 24)))


def _encode_boolean(column: Column) -> _Encoded:
    # 1/0 in a one-digit number: dBASE's logical type reads as text "T"/"F" in GDAL
    # before 3.7 (QGIS 3.22) and ArcGIS does not offer it for shapefiles.
    values = _as_series(column.values).astype("boolean")
    mask = np.asarray(values.isna(), dtype=bool)
    truth = np.asarray(values.fillna(False), dtype=bool)
    out = np.where(mask, ord(" "), np.where(truth, ord("1"), ord("0"))).astype(np.uint8)
    return _Encoded(b"N", 1, 0, out.reshape(-1, 1))


def _encode_datetime(column: Column, codec: str, warnings: list[Text]) -> _Encoded:
    times = pd.to_datetime(_as_series(column.values))
    texts = pd.Series(
        [None if pd.isna(t) else t.isoformat(timespec="milliseconds") for t in times],
        index=times.index,
        dtype=object,
    )
    return _encode_text(Column(column.name, FieldType.TEXT, texts), codec, warnings)


def _encode(column: Column, codec: str, warnings: list[Text]) -> _Encoded:
    kind = column.type
    if kind is FieldType.TEXT:
        return _encode_text(column, codec, warnings)
    if kind is FieldType.INTEGER:
        return _encode_integer(column)
    if kind is FieldType.REAL:
        return _encode_real(column)
    if kind is FieldType.BOOLEAN:
        return _encode_boolean(column)
    if kind is FieldType.DATETIME:
        return _encode_datetime(column, codec, warnings)
    raise ExportError(
        f"Field {column.name} holds binary data, which a dBASE table cannot store.",
        f"字段 {column.name} 为二进制数据,dBASE 表无法存储。",
    )


def write_dbf(
    path: Path, columns: Sequence[Column], n_rows: int, encoding: DbfEncoding
) -> list[Text]:
    """Write a dBASE III table; return warnings (values cut at 254 bytes).

    Column names must already fit (see :func:`field_names`).
    """
    warnings: list[Text] = []
    encoded = [_encode(c, encoding.codec, warnings) for c in columns]
    record_length = 1 + sum(e.width for e in encoded)
    header_length = 32 + 32 * len(encoded) + 1
    if record_length > 65535:
        raise ExportError(
            "The attribute table is too wide for a shapefile (more than 65,535 bytes a "
            "row). Leave some fields out or export to GeoPackage.",
            "属性表过宽(每行超过 65,535 字节),无法写入 Shapefile。请减少字段或导出为 GeoPackage。",
        )
    if header_length + n_rows * record_length > 2**31 - 1:
        raise ExportError(
            f"{path.name} would pass 2 GB, the limit of dBASE tables. Export to "
            "GeoPackage, or per community (--by community).",
            f"{path.name} 将超过 dBASE 属性表 2 GB 的上限。请导出为 GeoPackage,"
            "或按社区分包导出(--by community)。",
        )
    today = dt.date.today()
    header = struct.pack(
        "<BBBBIHH20x",
        0x03,
        today.year - 1900,
        today.month,
        today.day,
        n_rows,
        header_length,
        record_length,
    )
    header = header[:29] + bytes([encoding.ldid]) + header[30:]
    descriptors = b""
    for column, enc in zip(columns, encoded, strict=True):
        name = column.name.encode(encoding.codec)
        descriptors += struct.pack(
            "<11sc4xBB14x", name, enc.type, enc.width, enc.decimals
        )
    with path.open("wb") as handle:
        handle.write(header + descriptors + b"\r")
        for start in range(0, n_rows, _CHUNK):
            stop = min(start + _CHUNK, n_rows)
            parts = [_blank(stop - start, 1)]
            parts += [e.matrix[start:stop] for e in encoded]
            handle.write(np.hstack(parts).tobytes())
        handle.write(b"\x1a")
    return warnings


# -- reading: the header and the encoding -------------------------------------------


@dataclass(frozen=True)
class DbfField:
    """A field descriptor of a dBASE table."""

    raw_name: bytes
    type: str
    length: int
    decimals: int
    offset: int


@dataclass(frozen=True)
class DbfHeader:
    """What the first bytes of a dBASE table say."""

    records: int
    header_length: int
    record_length: int
    ldid: int
    fields: tuple[DbfField, ...]


def read_header(path: Path) -> DbfHeader:
    """Read the header of the dBASE table at ``path``.

    Raises
    ------
    InputFileError
        If the file is too short or its header is inconsistent.
    """
    data = path.read_bytes()[:65536]
    broken = InputFileError(
        f"{path.name} is not a readable dBASE table (its header is broken); export "
        "the shapefile again from the program that made it.",
        f"{path.name} 不是可读取的 dBASE 属性表(文件头已损坏);请从原软件重新导出该 Shapefile。",
    )
    if len(data) < 33:
        raise broken
    records, header_length, record_length = struct.unpack_from("<IHH", data, 4)
    fields: list[DbfField] = []
    pos, offset = 32, 1
    while pos + 32 <= min(header_length, len(data)) and data[pos] != 0x0D:
        raw = data[pos : pos + 11].split(b"\x00", 1)[0]
        ftype = chr(data[pos + 11])
        length, decimals = data[pos + 16], data[pos + 17]
        fields.append(DbfField(raw, ftype, length, decimals, offset))
        offset += length
        pos += 32
    if not fields or header_length < 33 or record_length < 1:
        raise broken
    return DbfHeader(records, header_length, record_length, data[29], tuple(fields))


#: dBASE language driver IDs of Chinese code pages.
_LDID_CODECS = {0x4D: "gb18030", 0x7A: "gb18030", 0x4F: "big5", 0x78: "big5"}


@dataclass(frozen=True)
class EncodingGuess:
    """The text encoding of a table and how GridGIS found it."""

    codec: str
    how: Text


def cpg_codec(text: str) -> str | None:
    """The Python codec named by the content of a ``.cpg`` file (``None``: unknown)."""
    value = text.strip().strip("\ufeff").strip()
    lowered = value.lower().replace(" ", "")
    if not lowered:
        return None
    if lowered in {"utf-8", "utf8", "65001"}:
        return "utf-8"
    if lowered in {"936", "cp936", "gbk", "gb2312", "ansi936"}:
        return "gb18030"
    if lowered == "gb18030" or lowered == "54936":
        return "gb18030"
    if lowered.isdigit():
        lowered = f"cp{lowered}"
    if lowered.startswith("ansi"):
        lowered = "cp" + lowered[4:]
    import codecs

    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def _text_bytes(path: Path, header: DbfHeader, limit: int = 4_000_000) -> list[bytes]:
    """Raw bytes of the field names and of every text value (up to ``limit`` bytes)."""
    values = [f.raw_name for f in header.fields]
    text_fields = [f for f in header.fields if f.type in "CM"]
    if not text_fields or header.records == 0:
        return values
    rows = max(1, min(header.records, limit // max(header.record_length, 1)))
    with path.open("rb") as handle:
        handle.seek(header.header_length)
        block = handle.read(rows * header.record_length)
    rows = len(block) // header.record_length
    matrix = np.frombuffer(block[: rows * header.record_length], dtype=np.uint8)
    matrix = matrix.reshape(rows, header.record_length)
    for fld in text_fields:
        cells = matrix[:, fld.offset : fld.offset + fld.length]
        high = (cells >= 0x80).any(axis=1)
        for row in np.flatnonzero(high):
            values.append(bytes(cells[row]).rstrip(b" \x00"))
    return values


_NUMBER = re.compile(rb"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def unreadable_numbers(path: Path) -> list[tuple[str, list[int], bytes]]:
    """Numeric fields holding values that are not numbers (text such as 三十).

    GDAL reads such a value as empty or 0 without a word; GridGIS names the field
    and the rows (1-based record numbers) and a sample value.
    """
    header = read_header(path)
    numeric = [f for f in header.fields if f.type in "NF"]
    if not numeric or header.records == 0:
        return []
    with path.open("rb") as handle:
        handle.seek(header.header_length)
        block = handle.read(header.records * header.record_length)
    rows = len(block) // header.record_length
    matrix = np.frombuffer(block[: rows * header.record_length], dtype=np.uint8)
    matrix = matrix.reshape(rows, header.record_length)
    found = []
    for fld in numeric:
        cells = matrix[:, fld.offset : fld.offset + fld.length]
        bad = []
        for row in range(rows):
            value = bytes(cells[row]).strip(b" \x00")
            if value and not _NUMBER.match(value):
                bad.append(row)
        if bad:
            sample = bytes(cells[bad[0]]).strip(b" \x00")
            found.append((fld.raw_name.decode("ascii", "replace"), bad, sample))
    return found


def _decodes(values: list[bytes], codec: str) -> bool:
    """Whether every value decodes strictly (a character cut at the field end is fine)."""
    for value in values:
        try:
            value.decode(codec)
        except UnicodeDecodeError as exc:
            # Only a character cut at the end of the field is forgiven; a short value
            # that fails at its first byte is simply not in this encoding.
            if exc.reason.startswith("unexpected end") or (
                exc.start > 0 and exc.start >= len(value) - 3
            ):
                try:
                    value[: exc.start].decode(codec)
                    continue
                except UnicodeDecodeError:
                    return False
            return False
    return True


def _common_chinese(char: str) -> bool:
    """Whether ``char`` is a character of everyday Chinese text (GB2312)."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def reads_as_chinese(values: list[bytes], codec: str) -> bool:
    """Whether ``values`` decoded with ``codec`` read as Chinese, not as mojibake.

    Latin-1 or Big5 bytes often decode as GBK too, into rare characters, kana and
    symbols; real Chinese text is nearly all common (GB2312) characters.
    """
    chars = [
        c for v in values for c in v.decode(codec, errors="ignore") if ord(c) >= 0x80
    ]
    if not chars:
        return True
    common = sum(_common_chinese(c) and not "\u3040" <= c <= "\u30ff" for c in chars)
    return common >= 0.9 * len(chars)


#: Encodings shown side by side when the text's encoding cannot be told.
SAMPLE_CODECS = ("gb18030", "big5", "cp1252", "utf-8")


def encoding_samples(values: list[bytes]) -> str:
    """A value decoded with each candidate encoding, one per line."""
    sample = max(values[:50], key=lambda v: sum(b >= 0x80 for b in v))
    lines = []
    for codec in SAMPLE_CODECS:
        text = sample.rstrip(b" \x00").decode(codec, errors="replace")
        lines.append(f"  --encoding {codec}: {text}")
    return "\n".join(lines)


def ambiguous_encoding(name: str, values: list[bytes]) -> InputFileError:
    """The text decodes, but not as Chinese: ask which encoding it is in."""
    return InputFileError(
        f"The text in {name} decodes as GBK but does not read as Chinese; it may be "
        "Latin-1 (cp1252), Big5 or another encoding. Name it with --encoding; the "
        "same value in each candidate:",
        f"{name} 中的文本可按 GBK 解码,但读起来不是中文,可能是 Latin-1(cp1252)、Big5 "
        "或其他编码。请用 --encoding 指定;同一个值按各候选编码读出为:",
        details=encoding_samples(values),
    )


def detect_encoding(dbf: Path, cpg: Path | None) -> EncodingGuess:
    """Decide the text encoding of a shapefile's table.

    The ``.cpg`` file wins when it names a code page that decodes the text; otherwise
    the text is tried as strict UTF-8, then as GB18030 (a superset of GBK and GB2312);
    the language driver ID in the header breaks ties.

    Raises
    ------
    InputFileError
        If the text is neither UTF-8 nor GBK/GB18030.
    """
    header = read_header(dbf)
    high = [v for v in _text_bytes(dbf, header) if any(b >= 0x80 for b in v)]
    named: str | None = None
    if cpg is not None and cpg.exists():
        named = cpg_codec(cpg.read_bytes().decode("ascii", errors="ignore"))
        if named is not None and _decodes(high, named):
            return EncodingGuess(
                named,
                Text(
                    f"编码 {named.upper()}(由 {cpg.name} 指定)",
                    f"encoding {named.upper()} (named by {cpg.name})",
                ),
            )
    ldid = _LDID_CODECS.get(header.ldid)
    if not high:
        codec = ldid or named or "utf-8"
        return EncodingGuess(
            codec,
            Text(
                f"编码 {codec.upper()}(文本均为 ASCII)",
                f"encoding {codec.upper()} (all text is ASCII)",
            ),
        )
    utf8 = _decodes(high, "utf-8")
    gb = _decodes(high, "gb18030")
    found: str | None = None
    if utf8 and not (gb and ldid == "gb18030"):
        found = "utf-8"
    elif gb:
        if not reads_as_chinese(high, "gb18030"):
            raise ambiguous_encoding(dbf.name, high)
        found = "gb18030"
    elif ldid is not None and _decodes(high, ldid):
        found = ldid
    if found is None:
        raise InputFileError(
            f"The text in {dbf.name} is neither UTF-8 nor GBK, and no .cpg file names "
            "an encoding that reads it. Name the encoding with --encoding (for "
            "example big5).",
            f"{dbf.name} 中的文本既不是 UTF-8 也不是 GBK,也没有能正确读取它的 .cpg 编码说明。"
            "请用 --encoding 指定编码(例如 big5)。",
            details=encoding_samples(high),
        )
    codec = found
    label = "GBK/GB18030" if codec == "gb18030" else codec.upper()
    if named is not None:
        return EncodingGuess(
            codec,
            Text(
                f"编码 {label}({cpg.name if cpg else ''} 写的是 {named.upper()},"
                "但文本无法按它读取,已按内容识别)",
                f"encoding {label} ({cpg.name if cpg else ''} says {named.upper()}, "
                "but the text does not read that way; recognised from the text)",
            ),
        )
    return EncodingGuess(
        codec,
        Text(
            f"编码 {label}(无 .cpg 文件,按内容识别)",
            f"encoding {label} (no .cpg file; recognised from the text)",
        ),
    )


def check_encoding(dbf: Path, encoding: str) -> str:
    """The codec of a named encoding, if the table's text really reads that way.

    Raises
    ------
    InputFileError
        If the encoding is unknown, or the text does not decode with it (the message
        names the encoding the text looks like).
    """
    import codecs

    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise InputFileError(
            f"'{encoding}' is not a text encoding; use utf-8, gbk or gb18030, for example.",
            f"“{encoding}”不是有效的文字编码;可用 utf-8、gbk、gb18030 等。",
        ) from None
    header = read_header(dbf)
    high = [v for v in _text_bytes(dbf, header) if any(b >= 0x80 for b in v)]
    if _decodes(high, codec):
        return codec
    try:
        likely = detect_encoding(dbf, None).how
    except InputFileError:
        likely = Text("未知编码", "an unknown encoding")
    raise InputFileError(
        f"The text in {dbf.name} is not {encoding}; it looks like {likely.en}. Leave "
        "the encoding to be detected, or name the right one.",
        f"{dbf.name} 中的文字不是 {encoding} 编码,看起来是{likely.zh}。"
        "请让软件自动识别编码,或指定正确的编码。",
    )
