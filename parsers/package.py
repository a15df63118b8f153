"""Office files as zip packages of XML parts, opened with their sizes checked first.

A package's declared sizes are checked before anything is decompressed, so a zip bomb is
refused without being inflated; every part read whole is capped at MAX_PART (a sheet is
streamed instead: parsers/workbook.py).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from parsers import ParseError

MAX_UNPACKED = 400 * 1024 * 1024  # the whole package, decompressed
MAX_RATIO = 200  # decompressed to compressed, for any part over 1 MB: a bomb, not a spreadsheet
MAX_PART = 64 * 1024 * 1024  # a part read whole (not a sheet, which is streamed)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC = "{http://purl.org/dc/elements/1.1/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
CONFIG = "{urn:oasis:names:tc:opendocument:xmlns:config:1.0}"


def open_package(data: bytes) -> zipfile.ZipFile:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ParseError(f"a broken zip package ({exc})") from None
    infos = package.infolist()
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise ParseError(f"refused: the package would unpack to {unpacked:,} bytes (limit {MAX_UNPACKED:,})")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
            raise ParseError(f"refused: part {info.filename} would unpack to {info.file_size:,} bytes "
                             f"from {info.compress_size:,} (a zip bomb?)")
    return package


def part_xml(package: zipfile.ZipFile, part: str) -> ET.Element:
    """One part, read whole and parsed; ParseError when it is too large, broken or missing."""
    try:
        if package.getinfo(part).file_size > MAX_PART:
            raise ParseError(f"not audited: part {part} holds {package.getinfo(part).file_size:,} bytes, over the "
                             f"{MAX_PART:,} a part may have (keep the file held for a person to check)")
        with package.open(part) as handle:
            body = handle.read(MAX_PART + 1)
        if len(body) > MAX_PART:
            raise ParseError(f"refused: part {part} is larger than declared")
        return ET.fromstring(body)
    except (ET.ParseError, zipfile.BadZipFile, KeyError, OSError, RuntimeError) as exc:
        raise ParseError(f"part {part} could not be read ({exc})") from None


def part_rels(package: zipfile.ZipFile, names: set[str], part: str) -> dict[str, str]:
    """A part's relationships: id -> the path of the part it points to."""
    folder, _, file = part.rpartition("/")
    rels = f"{folder}/_rels/{file}.rels"
    if rels not in names:
        return {}
    out = {}
    for rel in part_xml(package, rels).iter(f"{PKG_REL}Relationship"):
        target = rel.get("Target", "")
        out[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
    return out


def ods_hidden_tables(package: zipfile.ZipFile, names: set[str]) -> set[str]:
    """Sheets that settings.xml hides (OpenDocument keeps a sheet's visibility there or in its style)."""
    hidden: set[str] = set()
    if "settings.xml" in names:
        for entry in part_xml(package, "settings.xml").iter(f"{CONFIG}config-item-map-entry"):
            for item in entry.iter(f"{CONFIG}config-item"):
                if item.get(f"{CONFIG}name") == "TableVisible" and (item.text or "").strip() == "false":
                    hidden.add(entry.get(f"{CONFIG}name", "?"))
    return hidden


def opendocument_kind(package: zipfile.ZipFile, names: set[str]) -> str | None:
    """"ods" or "odt" from the package's mimetype part; None for any other package."""
    if "content.xml" not in names or "mimetype" not in names:
        return None
    kind = package.read("mimetype")[:100].decode("ascii", errors="replace")
    return "ods" if kind.endswith("opendocument.spreadsheet") else "odt" if kind.endswith("opendocument.text") else None
