"""Rows for the Excel workbooks ChainAtlas writes, safe for text that came from outside.

Organization names, 来源, event identifiers and place names are untrusted: a cell whose text
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return before one) is read by
openpyxl — and by Excel and WPS when the file is opened — as a formula (CSV/DDE injection,
``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Every workbook writer appends its rows through
:func:`safe_row`, which keeps such text a plain string cell (data type ``s`` with Excel's quote
prefix, so editing the cell does not turn it into a formula either) while the text itself is kept
exactly, so a re-import reads back what was exported. Control characters that the XML of an
.xlsx cannot carry (NUL …) are dropped instead of aborting the whole export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.cell.read_only import EmptyCell
from openpyxl.cell.rich_text import CellRichText
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program would evaluate ``text`` typed into a cell."""
    return text.startswith(FORMULA_TRIGGERS)


def safe_value(ws: Any, value: object) -> object:
    """``value`` as it may go into ``ws.append``: risky text becomes a text cell of ``ws``."""
    if isinstance(value, Cell | EmptyCell | CellRichText) or not isinstance(value, str):
        if isinstance(value, Cell) and isinstance(value.value, str) and value.data_type == "f":
            _as_text(value, value.value)
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not is_formula_like(text):
        return text
    cell = Cell(ws) if not isinstance(ws, WriteOnlyWorksheet) else _write_only_cell(ws)
    _as_text(cell, text)
    return cell


def _write_only_cell(ws: WriteOnlyWorksheet) -> Cell:
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell(ws)


def _as_text(cell: Cell, text: str) -> None:
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"  # assigning "=…" made it a formula; this stores the characters instead
    cell.quotePrefix = True  # Excel/WPS keep it text when someone edits the cell


def safe_row(ws: Any, values: Iterable[object]) -> list[object]:
    """A row for ``ws.append`` with every untrusted string kept as text (see the module doc)."""
    return [safe_value(ws, v) for v in values]
