"""The Excel templates community offices fill in, and reading them back.

A template has one sheet: Chinese column headings in row 1 and a notes row (row 2,
beginning with ``说明``) that says what goes in each column; a second sheet lists the
project's key-person categories. Filled templates come back as XLSX, or as CSV saved
by Excel or WPS in GBK or UTF-8, with or without the notes row; columns are recognised
by their Chinese or English heading, in any order.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gridgis.core.errors import InputFileError
from gridgis.core.exchange.sources import normalise
from gridgis.core.i18n import Text
from gridgis.core.register.address import WHITE_SPACE
from gridgis.core.settings import Settings


@dataclass(frozen=True)
class Column:
    """A column of a template."""

    key: str
    zh: str
    en: str
    note: str
    aliases: tuple[str, ...] = ()


_LOCATORS = (
    Column("building_id", "建筑编号", "building ID",
           "建筑编号、标准地址(或地址+楼号)填其一即可"),
    Column("address", "标准地址", "standard address",
           "如 幸福路12号3幢2单元501室 或 幸福路12号3-2-501", ("地址", "住址", "门牌地址")),
    Column("number", "楼号", "building number", "如 3幢 / 3栋 / 3号楼",
           ("楼栋", "楼栋号", "幢号", "栋号")),
    Column("unit", "单元", "unit", "如 2", ("单元号",)),
    Column("room", "室号", "room", "如 501", ("房号", "房间号", "户号")),
)  # fmt: skip

HOUSE_COLUMNS: tuple[Column, ...] = (
    Column("id", "房屋编号", "house ID", "可空:按 建筑编号-单元-室号 生成"),
    *_LOCATORS,
    Column("floor", "楼层", "floor", "可空:按室号推算"),
    Column("use", "房屋用途", "use", "自住 / 出租 / 群租 / 空置 / 经营", ("用途",)),
    Column("area", "面积(㎡)", "area (m²)", "数字,单位平方米", ("面积", "建筑面积")),
)  # fmt: skip

RESIDENT_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", "必填"),
    Column("id_number", "身份证号", "ID number", "18 位,末位可为 X(单元格为文本)",
           ("身份证号码", "公民身份号码", "证件号码", "身份证")),
    Column("gender", "性别", "gender", "男 / 女;可空,按身份证号"),
    Column("birth_date", "出生日期", "birth date", "如 1980-01-01;可空,按身份证号"),
    Column("phone", "联系电话", "phone", "11 位手机号或带区号的固话",
           ("电话", "手机", "手机号", "手机号码", "联系方式")),
    Column("relation", "与户主关系", "relation to head", "户主 / 配偶 / 子女 / 父母 …",
           ("关系",)),
    Column("residence", "人口类型", "registered or floating", "户籍 / 流动",
           ("户籍/流动", "户籍类型")),
    Column("categories", "重点人员类别", "categories",
           "多个用“、”分隔,见“类别”工作表", ("类别", "人员类别")),
    Column("tags", "标签", "tags", "自由填写", ("备注",)),
    Column("house_id", "房屋编号", "house ID", "已登记的房屋可只填此列"),
    *_LOCATORS,
)  # fmt: skip

TEMPLATES: dict[str, tuple[Column, ...]] = {
    "houses": HOUSE_COLUMNS,
    "residents": RESIDENT_COLUMNS,
}

#: The first cell of the notes row starts with this.
NOTES_MARK = "说明"

_TITLES = {
    "houses": Text("房屋登记表", "houses"),
    "residents": Text("居民登记表", "residents"),
}


def _columns(kind: str) -> tuple[Column, ...]:
    try:
        return TEMPLATES[kind]
    except KeyError:
        raise InputFileError(
            f"There is no template '{kind}'; choose houses or residents.",
            f"没有“{kind}”模板;请选择 houses(房屋)或 residents(居民)。",
        ) from None


def write_template(kind: str, path: str | Path, settings: Settings) -> Path:
    """Write the empty template ``kind`` (houses or residents) to ``path`` (.xlsx)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = _columns(kind)
    path = Path(path)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _TITLES[kind].zh
    sheet.append([c.zh for c in columns])
    sheet.append([f"{NOTES_MARK}:{columns[0].note}", *(c.note for c in columns[1:])])
    for k, column in enumerate(columns, start=1):
        head = sheet.cell(row=1, column=k)
        head.font = Font(bold=True)
        head.fill = PatternFill("solid", fgColor="DDEBF7")
        note = sheet.cell(row=2, column=k)
        note.font = Font(italic=True, color="808080", size=9)
        note.alignment = Alignment(wrap_text=True, vertical="top")
        letter = head.column_letter
        sheet.column_dimensions[letter].width = max(10, min(32, 2 * len(column.zh) + 6))
        if column.key in {"id_number", "phone", "room", "unit", "number", "house_id"}:
            for row in range(3, 1003):
                sheet.cell(row=row, column=k).number_format = "@"
    sheet.freeze_panes = "A3"
    catalogue = book.create_sheet("类别")
    catalogue.append(["类别", "category", "编码"])
    for category in settings.categories:
        catalogue.append([category.zh, category.en, category.id])
    try:
        book.save(path)
    except OSError as exc:
        raise InputFileError(
            f"Cannot write {path} ({exc}); choose another folder.",
            f"无法写入 {path}({exc});请换一个文件夹。",
        ) from None
    return path


@dataclass
class Table:
    """A filled template as read: its columns, and each row's values by column key."""

    #: Column key per position (``None`` for columns GridGIS does not know).
    keys: list[str | None]
    #: Headings GridGIS did not recognise.
    unknown: list[str]
    #: The row number in the file of each row.
    numbers: np.ndarray
    #: The cells of each known column, one per row (object arrays: text stripped,
    #: ``None`` where the cell is blank or missing).
    values: dict[str, np.ndarray]
    #: How the file was read (encoding).
    how: Text

    def __len__(self) -> int:
        return len(self.numbers)

    def column(self, key: str) -> np.ndarray:
        """The cells of column ``key`` (all ``None`` when the file has no such column)."""
        found = self.values.get(key)
        return np.full(len(self), None, dtype=object) if found is None else found

    def row(self, k: int) -> tuple[int, dict[str, object]]:
        """Row ``k``: its row number and its filled cells by key."""
        return int(self.numbers[k]), {
            key: column[k]
            for key, column in self.values.items()
            if column[k] is not None
        }

    @functools.cached_property
    def rows(self) -> list[tuple[int, dict[str, object]]]:
        """Every row: (row number in the file, filled cells by key)."""
        return [self.row(k) for k in range(len(self))]


def _decode(path: Path, encoding: str | None) -> tuple[str, Text]:
    raw = path.read_bytes()
    tried = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    for codec in tried:
        try:
            text = raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        name = "UTF-8" if codec.startswith("utf-8") else codec.upper()
        if codec == "gb18030":
            name = "GBK/GB18030"
        return text, Text(f"编码 {name}", f"encoding {name}")
    raise InputFileError(
        f"{path.name} is neither UTF-8 nor GBK text; name its encoding with --encoding.",
        f"{path.name} 既不是 UTF-8 也不是 GBK 文本;请用 --encoding 指定编码。",
    )


@dataclass
class _Cells:
    """A sheet's filled rows: the heading row, and the rows under it by column."""

    header: Sequence[object]
    numbers: np.ndarray
    #: Per column position: the cells (text stripped, ``None`` when blank).
    columns: list[np.ndarray]


def _csv_columns(text: str, delimiter: str) -> _Cells | None:
    """A CSV read column-wise by Arrow, or ``None`` where it needs the row reader.

    Only files of one record per line qualify (no quoting, no blank lines, the same
    number of columns on every line): their rows and row numbers are exactly what the
    row reader gives, ten times faster.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if '"' in text or not text or text.startswith("\ufeff"):
        return None  # Arrow would also drop a byte-order mark the row reader keeps
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    width = text[: text.find("\n") if "\n" in text else len(text)].count(delimiter) + 1
    names = [f"c{k}" for k in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != lines:
        return None
    cells: list[np.ndarray] = []
    filled = np.zeros(lines, dtype=bool)
    for name in names:
        column = table.column(name)
        values = column.to_numpy(zero_copy_only=False)
        blank = pc.equal(pc.utf8_length(column), 0).to_numpy(zero_copy_only=False)
        edged = pc.match_substring_regex(column, f"^{WHITE_SPACE}|{WHITE_SPACE}$")
        for k in np.flatnonzero(edged.to_numpy(zero_copy_only=False)):
            values[k] = values[k].strip()
            blank[k] = not values[k]
        values[blank] = None
        filled |= ~blank
        cells.append(values)
    rows = np.flatnonzero(filled)
    if not len(rows):
        return _Cells([], rows, cells)
    first = cells[0][rows[1:]]
    notes = np.array(
        [type(v) is str and v.startswith(NOTES_MARK) for v in first], dtype=bool
    )
    body = rows[1:][~notes]
    header = [table.column(name)[int(rows[0])].as_py() for name in names]
    return _Cells(header, body + 1, [c[body] for c in cells])


def _row_cells(raw: list[tuple[int, Sequence[object]]]) -> _Cells:
    """The filled rows of a sheet read row by row, by column."""
    raw = [(n, r) for n, r in raw if _filled(r)]
    if not raw:
        return _Cells([], np.empty(0, dtype=np.int64), [])
    header = raw[0][1]
    body = []
    for number, values in raw[1:]:
        first = values[0] if values else None
        if isinstance(first, str) and first.strip().startswith(NOTES_MARK):
            continue
        body.append((number, values))
    columns = []
    for k in range(len(header)):
        column = np.empty(len(body), dtype=object)
        column[:] = [_cell(values, k) for _, values in body]
        columns.append(column)
    numbers = np.array([n for n, _ in body], dtype=np.int64)
    return _Cells(header, numbers, columns)


def _cell(values: Sequence[object], k: int) -> object:
    if k >= len(values):
        return None
    value = values[k]
    if type(value) is str:
        return value.strip() or None
    return value


def _raw_rows(
    path: Path, encoding: str | None, sheet: str | None
) -> tuple[_Cells, Text]:
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        text, how = _decode(path, encoding)
        sample = text[:4096]
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        fast = _csv_columns(text, delimiter)
        if fast is not None:
            return fast, how
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return _row_cells([(reader.line_num, r) for r in reader]), how
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds
            raise InputFileError(
                f"{path.name} is not a readable Excel workbook ({exc}). Save it as "
                ".xlsx from Excel or WPS.",
                f"{path.name} 不是可读取的 Excel 工作簿({exc})。"
                "请在 Excel 或 WPS 中另存为 .xlsx。",
            ) from None
        try:
            name = sheet if sheet is not None else book.sheetnames[0]
            if name not in book.sheetnames:
                raise InputFileError(
                    f"{path.name} has no sheet '{name}'.",
                    f"{path.name} 中没有工作表“{name}”。",
                )
            rows: list[tuple[int, Sequence[object]]] = [
                (k, list(r))
                for k, r in enumerate(book[name].iter_rows(values_only=True), start=1)
            ]
        finally:
            book.close()
        return _row_cells(rows), Text("Excel 工作簿", "Excel workbook")
    raise InputFileError(
        f"{path.name}: registers are read from .xlsx or .csv files.",
        f"{path.name}:登记表须为 .xlsx 或 .csv 文件。",
    )


def _blank(value: object) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _filled(values: Sequence[object]) -> bool:
    """Whether a row has a value (rows of text, as CSV gives, are checked at once)."""
    try:
        return bool("".join(values).strip())  # type: ignore[arg-type]
    except TypeError:
        return any(not _blank(v) for v in values)


def read_table(
    kind: str,
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Read a filled template (or a roster with the same headings)."""
    columns = _columns(kind)
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path} does not exist.", f"{path} 不存在。")
    cells, how = _raw_rows(path, encoding, sheet)
    if not len(cells.header):
        raise InputFileError(f"{path.name} is empty.", f"{path.name} 是空的。")
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.key, column.zh, column.en, *column.aliases):
            lookup.setdefault(normalise(name), column.key)
    keys: list[str | None] = []
    unknown: list[str] = []
    for value in cells.header:
        key = lookup.get(normalise(value)) if not _blank(value) else None
        if key in keys:
            key = None
        keys.append(key)
        if key is None and not _blank(value):
            unknown.append(str(value).strip())
    values = {key: cells.columns[k] for k, key in enumerate(keys) if key is not None}
    return Table(keys, unknown, cells.numbers, values, how)
