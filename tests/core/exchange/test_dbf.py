"""dBASE field names within 10 bytes, and telling UTF-8 from GBK without a .cpg."""

import struct

import pytest
import shapefile

from gridgis.core.errors import ExportError, InputFileError
from gridgis.core.exchange import dbf

LONG_NAMES = [
    "所属社区网格员联系电话",
    "所属社区网格员姓名",
    "建筑物名称及门牌号",
    "HH",
    "地址",
]


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_field_names_fit_whole_characters_and_stay_unique(codec):
    names = dbf.field_names(LONG_NAMES, codec)
    assert len({n.upper() for n in names}) == len(names)
    for original, name in zip(LONG_NAMES, names, strict=True):
        encoded = name.encode(codec)
        assert len(encoded) <= 10
        assert encoded.decode(codec) == name  # never cut inside a character
        stem = name.split("_")[0]
        assert original.startswith(stem)
    assert names[3:] == ["HH", "地址"]
    # As many characters as fit: 3 in UTF-8, 5 in GBK.
    assert names[0] == ("所属社" if codec == "utf-8" else "所属社区网")


def test_unknown_export_encoding_is_refused_with_the_choices():
    with pytest.raises(ExportError, match="utf-8 or --encoding gbk"):
        dbf.export_encoding("big5")
    assert dbf.export_encoding("CP936").cpg == "936"
    assert dbf.export_encoding("UTF8").cpg == "UTF-8"


def _table(path, encoding, values, *, cpg=None):
    writer = shapefile.Writer(str(path), shapeType=shapefile.NULL, encoding=encoding)
    writer.field("NAME", "C", size=40)
    for value in values:
        writer.null()
        writer.record(value)
    writer.close()
    if cpg is not None:
        path.with_suffix(".cpg").write_text(cpg)
    return path.with_suffix(".dbf")


def test_gbk_without_cpg_is_recognised(tmp_path):
    table = _table(tmp_path / "a", "gbk", ["幸福里社区", "桃花坞大街12号"])
    assert table.read_bytes()[29] == 0  # no language driver ID either
    guess = dbf.detect_encoding(table, None)
    assert guess.codec == "gb18030"
    assert "GBK" in guess.how.en


def test_utf8_without_cpg_is_recognised(tmp_path):
    table = _table(tmp_path / "a", "utf-8", ["幸福里社区", "Grid ünïcödé"])
    assert dbf.detect_encoding(table, None).codec == "utf-8"


def test_a_character_cut_at_the_field_end_still_reads_as_utf8(tmp_path):
    table = _table(tmp_path / "a", "utf-8", ["幸福里社区"])
    data = bytearray(table.read_bytes())
    header_length = struct.unpack_from("<H", data, 8)[0]
    record = header_length + 1
    data[record : record + 40] = ("幸福里社区".encode()[:-1]).ljust(40, b" ")
    table.write_bytes(bytes(data))
    assert dbf.detect_encoding(table, None).codec == "utf-8"


def test_a_cpg_that_lies_is_overruled_and_the_report_says_so(tmp_path):
    table = _table(tmp_path / "a", "gbk", ["幸福里社区"], cpg="UTF-8")
    guess = dbf.detect_encoding(table, tmp_path / "a.cpg")
    assert guess.codec == "gb18030"
    assert "says UTF-8" in guess.how.en


def test_cpg_naming_code_page_936_is_read(tmp_path):
    table = _table(tmp_path / "a", "gbk", ["幸福里社区"], cpg="936")
    guess = dbf.detect_encoding(table, tmp_path / "a.cpg")
    assert guess.codec == "gb18030"
    assert "named by a.cpg" in guess.how.en


def test_text_that_is_neither_utf8_nor_gbk_needs_an_encoding(tmp_path):
    table = _table(tmp_path / "a", "utf-8", ["x"])
    data = bytearray(table.read_bytes())
    header_length = struct.unpack_from("<H", data, 8)[0]
    data[header_length + 1 : header_length + 5] = b"\xff\xfe\xff\xfe"
    table.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match="--encoding"):
        dbf.detect_encoding(table, None)


def test_a_broken_header_is_reported(tmp_path):
    table = tmp_path / "broken.dbf"
    table.write_bytes(b"\x03\x00")
    with pytest.raises(InputFileError, match="header is broken"):
        dbf.read_header(table)
