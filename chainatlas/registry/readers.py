"""Read an office's enterprise list (.xlsx or .csv) as a header and numbered rows.

Row numbers are the ones the user sees: the Excel row number, or the CSV line of the
record, so an error report can be checked against the open file. Title rows above the
header (``2023年泰州市规上医药企业名单``) are skipped by looking for the row that names a
name column within the first rows, and kept as the table's title (a year may be read from it).

Every sheet of a workbook that has such a header row is a table (a second 续表 / 二季度 sheet
is read, not dropped). Merged cells (a 所属地区 written once for a block of firms) give their
value to every row of the block. A formula cell whose workbook carries no computed value (made
by a script, never opened in Excel/WPS) comes through as :class:`UncomputedFormula`, so the
row parser can name it instead of reading an empty cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chainatlas.errors import ChainAtlasError

from .columns import FIELD_SYNONYMS, clean_header, parse_header

HEADER_SCAN_ROWS = 15
_NAME_HEADERS = {s.lower() for s in FIELD_SYNONYMS["name"]}


class ImportFileError(ChainAtlasError):
    """The file as a whole cannot be read; nothing is stored."""

    code = "E320"


@dataclass
class Table:
    path: Path
    sheet: str | None
    header_row: int
    headers: list[object]
    rows: Iterator[tuple[int, list[object]]]
    total: int | None  # data rows, when the format tells us up front (for the progress bar)
    encoding: str | None = None
    close: Callable[[], None] | None = None  # read-only workbooks hold the file open until closed
    title: str = ""  # the text of the rows above the header (2023年泰州市医药企业名单)


@dataclass(frozen=True)
class UncomputedFormula:
    """A formula cell saved without its value: the formula text, for the message."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def _is_header(row: list[object], mapping_keys: set[str]) -> bool:
    for cell in row:
        cleaned = clean_header(cell)
        base, _, _ = parse_header(cell)
        if base.lower() in _NAME_HEADERS or cleaned in mapping_keys or base in mapping_keys:
            return True
    return False


def _find_header(rows: Iterator[tuple[int, list[object]]], path: Path, mapping_keys: set[str],
                 what: str, title: list[str] | None = None) -> tuple[int, list[object]]:
    seen_any = False
    for _ in range(HEADER_SCAN_ROWS):
        try:
            number, row = next(rows)
        except StopIteration:
            break
        if any(c not in (None, "") for c in row):
            seen_any = True
        if _is_header(row, mapping_keys):
            return number, row
        if title is not None:
            title.extend(str(c) for c in row if c not in (None, "") and not isinstance(c, UncomputedFormula))
    if not seen_any:
        raise ImportFileError(f"{path.name}: {what} is empty (no header row, no data)", code="E322")
    wanted = "/".join(FIELD_SYNONYMS["name"][:3])
    raise ImportFileError(
        f"{path.name}: no name column ({wanted}) in the first {HEADER_SCAN_ROWS} rows of {what}; "
        f"map yours with --map '列名=企业名称'", code="E323")


def read_table(path: Path, mapping_keys: set[str] | None = None) -> Table:
    """The first table of the file (see :func:`read_tables`)."""
    return read_tables(path, mapping_keys)[0]


def read_tables(path: Path, mapping_keys: set[str] | None = None) -> list[Table]:
    """Every table of the file: one for a CSV, one per sheet with a header row for a workbook."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path}: no such file", code="E321")
    if path.is_dir():
        raise ImportFileError(f"{path}: is a directory, not a spreadsheet", code="E321")
    suffix = path.suffix.lower()
    keys = mapping_keys or set()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, keys)
    if suffix in (".csv", ".txt", ".tsv"):
        return [_read_csv(path, keys)]
    if suffix == ".xls":
        raise ImportFileError(f"{path.name}: old binary .xls workbooks are not read; save it as .xlsx in Excel/WPS",
                              code="E324")
    raise ImportFileError(f"{path.name}: unsupported file type {suffix or '(none)'}; use .xlsx or .csv", code="E324")


def _read_xlsx(path: Path, keys: set[str]) -> list[Table]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:8]
        hint = " (it is an old .xls workbook; save as .xlsx)" if head.startswith(b"\xd0\xcf\x11\xe0") else ""
        raise ImportFileError(f"{path.name}: not a valid .xlsx workbook — the file is not a zip archive{hint}",
                              code="E325")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ImportFileError(f"{path.name}: damaged .xlsx — a zip member cannot be decompressed ({exc})",
                              code="E325") from exc
    if bad is not None:
        raise ImportFileError(f"{path.name}: damaged .xlsx — member {bad} fails its CRC check", code="E325")
    try:
        # read_only streams rows from the zip without building the whole sheet in memory.
        wb = load_workbook(path, read_only=True, data_only=True)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, EOFError) as exc:
        raise ImportFileError(f"{path.name}: damaged or truncated .xlsx ({type(exc).__name__}: {exc})",
                              code="E325") from exc
    except Exception as exc:  # openpyxl raises assorted errors on malformed XML inside the zip
        raise ImportFileError(f"{path.name}: cannot read workbook ({type(exc).__name__}: {exc})",
                              code="E325") from exc
    if not wb.sheetnames:
        raise ImportFileError(f"{path.name}: workbook has no sheets", code="E322")
    last_error: ImportFileError | None = None
    tables: list[Table] = []
    formulas_wb = None
    # The list may not be on the first sheet (说明 / 填表说明 sheets come first in many templates),
    # and may go on over several sheets (续表, one sheet per district): every sheet with a header counts.
    for ws in wb.worksheets:
        merges, has_formulas = _sheet_layout(path, getattr(ws, "_worksheet_path", None))
        formula_ws = None
        if has_formulas:
            if formulas_wb is None:
                formulas_wb = load_workbook(path, read_only=True, data_only=False)
            formula_ws = formulas_wb[ws.title]
        rows = _xlsx_rows(ws, path, merges, formula_ws)
        title: list[str] = []
        try:
            number, header = _find_header(rows, path, keys, f"sheet {ws.title!r}", title)
        except ImportFileError as exc:
            last_error = exc
            continue
        total = None
        if ws.max_row is not None:
            total = max(ws.max_row - number, 0)
        tables.append(Table(path, ws.title, number, header, rows, total, title=" ".join(title)))
    if not tables:
        wb.close()
        if formulas_wb is not None:
            formulas_wb.close()
        assert last_error is not None
        raise last_error

    def close() -> None:
        wb.close()
        if formulas_wb is not None:
            formulas_wb.close()

    for t in tables:
        t.close = close  # one workbook behind all of them: closing any closes it
    return tables


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _sheet_layout(path: Path, member: str | None) -> tuple[list[tuple[int, int, int, int]], bool]:
    """Merged ranges (min_row, min_col, max_row, max_col) and whether any cell holds a formula,
    read from the sheet XML in chunks (read-only openpyxl reports neither)."""
    from openpyxl.utils import column_index_from_string

    if not member:
        return [], False
    merges: list[tuple[int, int, int, int]] = []
    has_formula = False
    tail = b""
    with zipfile.ZipFile(path) as zf:
        try:
            fp = zf.open(member.lstrip("/"))
        except KeyError:
            return [], False
        with fp:
            while chunk := fp.read(1 << 20):
                data = tail + chunk
                has_formula = has_formula or bool(_FORMULA.search(data))
                cut = data.rfind(b"<")  # an element cut at the chunk's end is read whole next time
                body, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                for c1, r1, c2, r2 in _MERGE.findall(body):
                    merges.append((int(r1), column_index_from_string(c1.decode()),
                                   int(r2), column_index_from_string(c2.decode())))
            for c1, r1, c2, r2 in _MERGE.findall(tail):
                merges.append((int(r1), column_index_from_string(c1.decode()),
                               int(r2), column_index_from_string(c2.decode())))
    return merges, has_formula


def _xlsx_rows(ws, path: Path, merges: list[tuple[int, int, int, int]] | None = None,  # type: ignore[no-untyped-def]
               formula_ws=None) -> Iterator[tuple[int, list[object]]]:  # type: ignore[no-untyped-def]
    by_row: dict[int, list[tuple[int, int, int, int]]] = {}
    for m in merges or []:
        by_row.setdefault(m[0], []).append(m)
    active: list[tuple[tuple[int, int, int, int], object]] = []  # merged ranges still below us, with their value
    formulas = formula_ws.iter_rows(values_only=True) if formula_ws is not None else None
    try:
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            row = list(values)
            if formulas is not None:
                written = next(formulas, ())
                for i, f in enumerate(written):
                    if i < len(row) and row[i] is None and isinstance(f, str) and f.startswith("="):
                        row[i] = UncomputedFormula(f)
            for m in by_row.pop(number, []):
                active.append((m, row[m[1] - 1] if m[1] - 1 < len(row) else None))
            if active:
                for (r1, c1, _r2, c2), value in active:
                    if number > r1 or c2 > c1:
                        if len(row) < c2:
                            row.extend([None] * (c2 - len(row)))
                        for c in range(c1, c2 + 1):
                            if (number, c) != (r1, c1):
                                row[c - 1] = value
                active = [(m, value) for m, value in active if m[2] > number]
            yield number, row
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError) as exc:
        raise ImportFileError(f"{path.name}: damaged or truncated .xlsx while reading rows ({exc})",
                              code="E325") from exc
    except Exception as exc:  # malformed sheet XML
        raise ImportFileError(f"{path.name}: cannot read sheet {ws.title!r} ({type(exc).__name__}: {exc})",
                              code="E325") from exc


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK), then a guess."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ImportFileError("cannot detect the text encoding (not UTF-8 or GBK)", code="E326")
    return best.encoding


def _read_csv(path: Path, keys: set[str]) -> Table:
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError(f"{path.name}: file is empty", code="E322")
    # A binary file is full of NULs; one stray NUL in a text export is a bad cell, named per row later.
    if data[:4096].count(b"\x00") > 16 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(f"{path.name}: binary data, not a CSV text file", code="E326")
    try:
        encoding = detect_encoding(data)
    except ImportFileError as exc:
        raise ImportFileError(f"{path.name}: {exc.message}", code=exc.code) from exc
    text = data.decode(encoding)
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for record in reader:
                # line_num is the line the record ends on; multi-line cells still point near the row.
                yield reader.line_num, list(record)
        except csv.Error as exc:
            raise ImportFileError(f"{path.name}: malformed CSV at line {reader.line_num}: {exc}",
                                  code="E326") from exc

    it = rows()
    number, header = _find_header(it, path, keys, "the file")
    total = max(text.count("\n") - number, 0)
    return Table(path, None, number, header, it, total, encoding)
