"""Staff rosters from Excel or CSV: people, their phones and photos, and their posts.

A roster is the sheet a community office keeps: 姓名, 手机号码, 所属单位, 岗位, 网格编码 …
one row per person, or one row per post when a person serves several grids. Phones
are checked (mainland mobiles, landlines with area code) and written one way; photos are
found by file name in a folder, turned upright, and scaled down when large. Duplicate
IDs given to different people, malformed phones and missing photos are errors with
the row numbers of the sheet.

Examples
--------
>>> normalise_phone("+86 138-1234-5678")
'13812345678'
>>> normalise_phone("0512 6512 3456")
'0512-65123456'
>>> normalise_phone(13812345678.0)
'13812345678'
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from gridgis.core.errors import InputFileError, SchemaError
from gridgis.core.exchange.mapping import guess_mapping, map_values
from gridgis.core.exchange.sources import SourceData, open_source
from gridgis.core.i18n import Text

#: Photos are scaled down so that their longer side is at most this many pixels
#: (boards print them about 3 cm tall: 600 px is over 300 dpi).
PHOTO_MAX_SIDE = 600
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")


def normalise_phone(value: object) -> str | None:
    """A phone number written one way, or ``None`` if it is not a valid number.

    Mainland mobiles become 11 digits (``+86``, spaces and dashes dropped); landlines
    become ``area-number`` (``0512-65123456``). Empty values give ``""``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return ""
    digits = re.sub(r"[\s\-()()]", "", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(digits) and len(digits) in (10, 11, 12):
        # Area codes: 010 and 02x have three digits, the others four.
        area = 3 if digits.startswith(("010", "02")) else 4
        return f"{digits[:area]}-{digits[area:]}"
    return None


def _check_phones(
    values: pd.DataFrame, row_number: np.ndarray, column: str | None
) -> pd.DataFrame:
    if "phone" not in values:
        return values
    normalised = values["phone"].map(normalise_phone)
    bad = normalised.isna().to_numpy()
    if bad.any():
        positions = np.flatnonzero(bad)
        examples = ", ".join(
            f"{int(row_number[p])} ({values['phone'].iloc[p]!r})" for p in positions[:5]
        )
        raise SchemaError(
            f"{len(positions)} phone number(s) in column '{column}' are malformed, for "
            f"example rows {examples}. Write mobiles as 11 digits (13812345678) and "
            "landlines with their area code (0512-65123456).",
            f"列“{column}”中有 {len(positions)} 个电话号码格式不正确(例如第 {examples} 行)。"
            "手机号应为 11 位数字(如 13812345678),固定电话应带区号(如 0512-65123456)。",
        )
    values = values.copy()
    values["phone"] = normalised.map(lambda v: v or None)
    return values


def load_photo(path: Path) -> bytes:
    """The photo at ``path`` as PNG or JPEG bytes: upright, at most 600 px.

    Raises
    ------
    InputFileError
        If the file is not an image Pillow can read.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = path.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputFileError(
            f"{path.name} is not a picture GridGIS can read ({exc}); save it as JPEG "
            "or PNG.",
            f"{path.name} 不是可读取的图片({exc});请另存为 JPEG 或 PNG。",
        ) from None
    kind = image.format
    rotated = image.getexif().get(0x0112, 1) not in (1, None)
    large = max(image.size) > PHOTO_MAX_SIDE
    if kind in ("PNG", "JPEG") and not rotated and not large:
        return data
    upright: Image.Image = ImageOps.exif_transpose(image)
    upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG" or (kind != "PNG" and upright.mode in ("RGB", "L", "CMYK")):
        upright.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    else:
        upright.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _photo_folder(source: SourceData, photos: Path | None) -> Path | None:
    if photos is not None:
        if not Path(photos).is_dir():
            raise InputFileError(
                f"The photo folder {photos} does not exist.",
                f"照片文件夹 {photos} 不存在。",
            )
        return Path(photos)
    for candidate in (
        source.path.parent / "photos",
        source.path.parent / f"{source.path.stem}_photos",
        source.path.parent / "照片",
    ):
        if candidate.is_dir():
            return candidate
    return None


def _find_photo(folder: Path, name: str, index: dict[str, Path]) -> Path | None:
    direct = folder / name
    if direct.is_file():
        return direct
    key = name.lower()
    if key in index:
        return index[key]
    for ext in PHOTO_EXTENSIONS:
        if key + ext in index:
            return index[key + ext]
    return None


def _photos(
    values: pd.DataFrame,
    source: SourceData,
    photos: Path | None,
    row_number: np.ndarray,
    column: str | None,
    notes: list[Text],
) -> pd.DataFrame:
    folder = _photo_folder(source, photos)
    has_names = (
        "photo" in values and values["photo"].map(lambda v: isinstance(v, str)).any()
    )
    if "photo" in values and not has_names:
        return values  # already binary (from a GeoPackage)
    if folder is None:
        if has_names:
            raise InputFileError(
                f"The roster names photo files (column '{column}') but there is no "
                "photo folder; give it with --photos FOLDER.",
                f"名单中列有照片文件名(列“{column}”),但找不到照片文件夹;"
                "请用 --photos 文件夹 指定。",
            )
        return values
    index = {
        p.name.lower(): p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in PHOTO_EXTENSIONS
    }
    out = values.copy()
    blobs: list[bytes | None] = []
    missing: list[tuple[int, str]] = []
    for pos in range(len(values)):
        if has_names:
            name = values["photo"].iloc[pos]
            wanted = [name] if isinstance(name, str) else []
        else:
            wanted = [str(values["id"].iloc[pos])] if "id" in values else []
            if "name" in values and isinstance(values["name"].iloc[pos], str):
                wanted.append(values["name"].iloc[pos])
        found = next(
            (p for w in wanted if (p := _find_photo(folder, w, index)) is not None),
            None,
        )
        if found is None:
            if has_names and wanted:
                missing.append((int(row_number[pos]), wanted[0]))
            blobs.append(None)
            continue
        try:
            blobs.append(load_photo(found))
        except InputFileError as exc:
            raise InputFileError(
                f"Row {int(row_number[pos])}: {exc.text.en}",
                f"第 {int(row_number[pos])} 行:{exc.text.zh}",
            ) from None
    if missing:
        listed = ", ".join(f"{r} ({n})" for r, n in missing[:5])
        raise InputFileError(
            f"{len(missing)} photo file(s) named in the roster are not in {folder}: "
            f"rows {listed}. Put them there or correct the names.",
            f"名单中有 {len(missing)} 个照片文件在 {folder} 中找不到:第 {listed} 行。"
            "请补齐照片或更正文件名。",
        )
    out["photo"] = pd.Series(blobs, index=values.index, dtype=object)
    found_count = sum(b is not None for b in blobs)
    notes.append(
        Text(
            f"照片:在 {folder} 中找到 {found_count} 张,{len(blobs) - found_count} 人无照片。",
            f"Photos: {found_count} found in {folder}; {len(blobs) - found_count} "
            "people have none.",
        )
    )
    return out


def _merge_people(
    values: pd.DataFrame, row_number: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Positions of the first row of every person, and the person ID of every row.

    Rows with the same ID must describe the same person (several posts); an ID given
    to different people is an error.
    """
    person = [c for c in ("name", "phone", "organisation") if c in values]
    ids = [str(v) for v in values["id"]]
    first: dict[str, int] = {}
    conflicts: dict[str, list[int]] = {}
    for pos, staff_id in enumerate(ids):
        if staff_id not in first:
            first[staff_id] = pos
            continue
        a = values.iloc[first[staff_id]][person]
        b = values.iloc[pos][person]
        same = all(
            (pd.isna(x) and pd.isna(y)) or x == y for x, y in zip(a, b, strict=True)
        )
        if not same:
            conflicts.setdefault(staff_id, [first[staff_id]]).append(pos)
    if conflicts:
        shown = list(conflicts.items())[:5]
        rows = {k: "/".join(str(int(row_number[p])) for p in v) for k, v in shown}
        examples = "; ".join(f"{k} (rows {r})" for k, r in rows.items())
        examples_zh = ";".join(f"{k}(第 {r} 行)" for k, r in rows.items())
        raise SchemaError(
            f"{len(conflicts)} staff ID(s) are given to different people: {examples}. "
            "Every person needs an ID of their own; fix the roster.",
            f"有 {len(conflicts)} 个人员编号被不同的人重复使用:"
            f"{examples_zh}。每人的编号必须唯一,请修正名单。",
        )
    keep = np.array(sorted(first.values()), dtype=np.int64)
    return keep, ids


def prepare_staff(
    values: pd.DataFrame,
    source: SourceData,
    row_number: np.ndarray,
    mapping: Mapping[str, str | None],
    *,
    photos: Path | None,
    notes: list[Text],
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Phones, photos and one row per person for an import into ``staff``.

    Returns
    -------
    values
        One row per person.
    keep
        Positions (in the source) of those rows.
    row_ids
        The staff ID of every source row.
    """
    values = _check_phones(values, row_number, mapping.get("phone"))
    if "id" in values:
        keep, row_ids = _merge_people(values, row_number)
    else:
        keep, row_ids = np.arange(len(values)), []
    if len(keep) < len(values):
        notes.append(
            Text(
                f"{len(values) - len(keep)} 行是同一人员的其他岗位,人员只导入一次。",
                f"{len(values) - len(keep)} row(s) repeat a person with another post; "
                "each person is imported once.",
            )
        )
    values = values.iloc[keep]
    values = _photos(
        values, source, photos, row_number[keep], mapping.get("photo"), notes
    )
    return values, keep, row_ids


def plan_roster(
    store: object,
    path: str | Path,
    *,
    photos: str | Path | None = None,
    mapping: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    assignments: bool = True,
) -> list[object]:
    """Plans for a staff roster: ``staff``, and ``assignments`` when it names posts.

    Parameters
    ----------
    store
        The project (a :class:`~gridgis.core.store.Store`).
    path
        The roster (.xlsx or .csv).
    photos
        The folder of photos (default: ``photos`` or ``<roster>_photos`` beside it).
    mapping
        ``{field: column}`` overrides for staff and assignment fields (``staff_id``,
        ``grid_code``, ``role``, ``is_backup``).
    sheet
        The sheet of a workbook (default: the first).
    assignments
        Also plan the posts (网格编码 + 岗位 columns) when the roster has them.

    Returns
    -------
    list of ImportPlan
        Apply them together with :func:`~gridgis.core.exchange.apply_imports`.
    """
    from gridgis.core.exchange.importer import plan_import
    from gridgis.core.store import Store

    assert isinstance(store, Store)
    source = open_source(
        path, project_epsg=store.settings.crs_epsg, layer=sheet, encoding=encoding
    )
    overrides = dict(mapping or {})
    staff_fields = {"id", "name", "phone", "photo", "organisation"}
    staff_map = {k: v for k, v in overrides.items() if k in staff_fields}
    post_map = {k: v for k, v in overrides.items() if k not in staff_fields}
    staff_plan = plan_import(
        store,
        source,
        "staff",
        mapping=staff_map,
        photos=Path(photos) if photos else None,
    )
    plans: list[object] = [staff_plan]
    if not assignments:
        return plans
    guessed = guess_mapping("assignments", source.columns)
    guessed.update(post_map)
    if guessed.get("grid_code") is None or guessed.get("role") is None:
        return plans
    guessed["staff_id"] = "__staff_id"
    frame = source.frame.copy()
    frame["__staff_id"] = staff_plan.row_ids
    row_number = np.array([source.row_number(k) for k in range(len(frame))])
    posts = map_values(
        "assignments", frame, guessed, row_number=row_number, settings=store.settings
    )
    has_post = (posts["grid_code"].notna() | posts["role"].notna()).to_numpy()
    sub = dataclasses.replace(
        source, frame=frame[has_post].reset_index(drop=True), rows=row_number[has_post]
    )
    posts_plan = plan_import(store, sub, "assignments", mapping=guessed)
    posts_plan.report.mapping["staff_id"] = staff_plan.mapping.get("id")
    plans.append(posts_plan)
    return plans
