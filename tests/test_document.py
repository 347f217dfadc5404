"""Files that cannot be glossaries are refused with a message naming the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.document import MAX_LINE_CHARS, load
from ingest.errors import SourceError


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"  \n\n\t\n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
    ],
)
def test_unusable_files_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path, "g.txt", data)
    with pytest.raises(SourceError, match=message) as info:
        load(path).text  # noqa: B018
    assert str(path) in str(info.value)


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "g.txt", b"Churn: lost customers\nCaf\x81: a place\n")
    with pytest.raises(SourceError) as info:
        load(path).text  # noqa: B018
    assert str(info.value) == (
        f"{path}:2: not valid UTF-8 or Windows-1252 (byte 0x81); re-save the file as UTF-8"
    )


def test_a_windows_1252_file_is_read_and_said_to_be(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    text = "Churn – “lost” customers\nCafé: a place for coffee\n"
    write(tmp_path, "old.txt", text.replace(" –", ":", 1).encode("cp1252"))
    doc = load(tmp_path / "old.txt")
    assert doc.encoding == "windows-1252" and "“lost”" in doc.text and "Café" in doc.text
    (source,), _ = read_paths([tmp_path])
    assert [e.term for e in source.entries] == ["Churn", "Café"]
    assert [w.message for w in source.warnings] == [
        "not UTF-8: read as Windows-1252; re-save it as UTF-8 if characters look wrong"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\n", "is a PDF; extract its text first"),
        (b"PK\x03\x04\x14\x00\x06\x00", "is a zip archive (an Excel or Word file?)"),
    ],
)
def test_pdf_and_office_files_say_what_to_do(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=re.escape(message)):
        load(write(tmp_path, "glossary.csv", data))


def test_one_enormous_line_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "g.txt", b"Churn: " + b"a" * (MAX_LINE_CHARS + 1))
    with pytest.raises(SourceError, match=r"g\.txt:1: line is"):
        load(path).text  # noqa: B018


def test_utf8_bom_utf16_and_crlf_are_read(tmp_path: Path) -> None:
    text = "Churn: lost customers\r\nUpsell: more\r\n"
    for encoding in ("utf-8-sig", "utf-16"):
        assert load(write(tmp_path, f"{encoding}.txt", text.encode(encoding))).text == (
            "Churn: lost customers\nUpsell: more\n"
        )


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        load(tmp_path / "nope.txt")
    with pytest.raises(SourceError, match="is a folder"):
        load(tmp_path)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_one_stray_byte_is_named_where_the_byte_is(tmp_path: Path, bom: bytes) -> None:
    data = bom + "Churn — lost customers\nCafé: a place\n".encode() + b"Bad\xe9: x\n"
    with pytest.raises(SourceError) as info:
        load(write(tmp_path, "g.txt", data)).text  # noqa: B018
    assert str(info.value).endswith(":3: not valid UTF-8 (byte 0xe9); re-save the file as UTF-8")


def test_ligatures_from_a_pdf_are_read_as_their_letters(tmp_path: Path) -> None:
    path = tmp_path / "g.txt"
    path.write_text("Workﬂow: A deﬁned sequence of steps.\n", encoding="utf-8")
    assert load(path).text == "Workflow: A defined sequence of steps.\n"
