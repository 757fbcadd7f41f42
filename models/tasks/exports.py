"""Streamed CSV and XLSX tables: a heading (period, filters), a header row, then rows.

Rows come from an iterator (a streamed query), so memory stays constant however long the list:
the CSV is yielded line by line, the XLSX is written by openpyxl's write-only mode to a
temporary file, which is then read back in chunks and removed.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.core.clock import DEFAULT_TZ

BOM = "\ufeff"  # lets Excel read the CSV as UTF-8 (Vietnamese intact)
CHUNK = 64 * 1024
BATCH = 500


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 14  # characters
    kind: str = "text"  # text | int | date | datetime | percent
    value: Callable | None = None  # row → cell value; default: the row's item by position


@dataclass(frozen=True)
class Table:
    """What one export writes: a title, lines about the filters, columns, and rows."""

    title: str
    heading: list[tuple[str, str]]  # (label, value) lines written above the table
    columns: list[Column]
    rows: Iterable


def _cells(table: Table, row) -> list:
    out = []
    for i, column in enumerate(table.columns):
        value = column.value(row) if column.value else row[i]
        if isinstance(value, datetime):
            value = value.astimezone(ZoneInfo(DEFAULT_TZ)).replace(tzinfo=None)
        out.append(value)
    return out


def _text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "percent" and isinstance(value, float):
        return f"{round(value * 100)}%"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "x" if value else ""
    return str(value)


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a BOM, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([table.title])
    for label, value in table.heading:
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow([c.title for c in table.columns])
    n = 0
    for row in table.rows:
        cells = zip(_cells(table, row), table.columns, strict=True)
        writer.writerow([_text(v, c.kind) for v, c in cells])
        n += 1
        if n % BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def write_xlsx(table: Table, path: str) -> None:
    """The table as an XLSX workbook at `path`: heading, frozen header row, widths, real dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31] or "Sheet")
    for i, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[_letter(i)].width = column.width
    header_row = len(table.heading) + 3  # title, heading lines, a blank line, then the header
    sheet.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)
    title = WriteOnlyCell(sheet, value=table.title)
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    for label, value in table.heading:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        sheet.append([cell, value])
    sheet.append([])
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = {"date": "DD/MM/YYYY", "datetime": "DD/MM/YYYY HH:MM", "percent": "0%"}
    kinds = [c.kind for c in table.columns]
    for row in table.rows:
        values = _cells(table, row)
        cells = []
        for value, kind in zip(values, kinds, strict=True):
            if kind in formats and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats[kind]
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(path)


def xlsx_chunks(table: Table) -> Iterator[bytes]:
    """The workbook written to a temporary file, then read back in chunks (file removed)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="planwatch-export-")
    os.close(handle)
    try:
        write_xlsx(table, path)
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)
