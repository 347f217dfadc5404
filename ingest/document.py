"""Loading a glossary file: bytes checked for the ways real files go wrong, then decoded."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import NoEntries, SourceError

MAX_BYTES = 50 * 1024 * 1024  # a glossary this large is almost certainly the wrong file
MAX_LINE_CHARS = 200_000  # one enormous line is a minified or binary file, not a glossary


@dataclass(frozen=True, slots=True)
class Document:
    """A file's bytes and, for text formats, its decoded text."""

    path: Path
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def text(self) -> str:
        return decode(self.path, self.data)

    @property
    def encoding(self) -> str:
        """How the text was decoded: "utf-8", "utf-16" or "windows-1252"."""
        if self.data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        try:
            self.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return "windows-1252" if _windows_1252(self.data) else "utf-8"
        return "utf-8"


def load(path: Path) -> Document:
    """Read a file, refusing what cannot be a glossary with a message naming the file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(path, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder, expected a file") from None
    except PermissionError:
        raise SourceError(path, "permission denied") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise NoEntries(path, "file is empty")
    if data.startswith(b"%PDF-"):
        raise SourceError(path, "is a PDF; extract its text first (e.g. `pdftotext FILE`)")
    if data.startswith(b"PK\x03\x04"):
        raise SourceError(
            path, "is a zip archive (an Excel or Word file?); save it as CSV or plain text"
        )
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(path, "looks binary (contains NUL bytes), expected a text glossary")
    return Document(path, data)


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252; text that is none
    of these is named with its line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(path, f"invalid UTF-16 at byte {exc.start}") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # Windows' own encoding (curly quotes and dashes as single bytes), when nothing
            # in the file is UTF-8 beyond ASCII: read as such, and `Document.encoding` says
            # so. UTF-8 with a stray byte is named where the byte is.
            if not _windows_1252(data):
                try:
                    data.decode("cp1252")
                    # UTF-8, but for a stray byte (counted after the BOM the codec skips)
                    at = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
                    encodings = "UTF-8"
                except UnicodeDecodeError as neither:
                    at, encodings = neither.start, "UTF-8 or Windows-1252"
                raise SourceError(
                    path,
                    f"not valid {encodings} (byte 0x{data[at]:02x}); re-save the file as UTF-8",
                    data.count(b"\n", 0, at) + 1,
                ) from None
            text = data.decode("cp1252")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_LIGATURES)  # "Workﬂow" from a PDF is "Workflow"
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\t\f")
    if controls > 8 and controls > len(text[:8192]) // 100:
        raise SourceError(path, "looks binary (many control characters), expected text")
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise SourceError(
                path,
                f"line is {len(line):,} characters long; the limit is {MAX_LINE_CHARS:,}",
                number,
            )
    return text


# the Latin ligatures a PDF's text layer keeps (U+FB00-FB06), as the letters they join
_LIGATURES = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0xFB00, 0xFB07)}


def _windows_1252(data: bytes) -> bool:
    """Whether bytes that are not UTF-8 read as Windows-1252: every byte defined there, and
    no character beyond ASCII that UTF-8 would read (a UTF-8 file with one stray byte is
    not a Windows-1252 file)."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    as_utf8 = data.decode("utf-8", errors="replace")
    return not any(ord(ch) > 127 and ch != "\ufffd" for ch in as_utf8)
