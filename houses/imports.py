"""Reading and writing the spreadsheets of the admin import and export.

The admin offers two formats, CSV and XLSX, bound to one resource (``formats_for``), so the
file is read and checked before a single row is imported:

- the size of the upload (``IMPORT_MAX_BYTES``) and its number of rows (``IMPORT_MAX_ROWS``)
  are limited; a larger file is refused at once, before its rows are read;
- CSV is accepted as Dutch Excel and LibreOffice save it (``;`` or ``,``, with or without a
  byte-order mark, UTF-8 or Windows-1252) and written as the site's other exports are: ``;``
  and a byte-order mark, a formula character at the start of a cell escaped by an apostrophe;
- XLSX is written with a named sheet, real date and number cells and a second sheet that lists
  the allowed values of each choice column;
- a file that is not what its format says, or whose headers are not the resource's columns,
  is refused with a Dutch message that names what is wrong (``ImportRefused``).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import zipfile

import tablib
from django.conf import settings
from django.utils.translation import gettext as _t
from import_export import widgets
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from houses.exports import FORMULA_START

#: Sheet that lists the allowed values of the choice columns (never read as data).
ALLOWED_VALUES_SHEET = "Toegestane waarden"
#: At most this many bytes of XLSX content once unpacked, per uploaded byte (zip bombs).
XLSX_UNPACK_RATIO = 30
#: Trailing rows Excel keeps formatted but empty: reading stops after this many in a row.
EMPTY_ROWS_ENOUGH = 1000


class ImportRefused(ValueError):
    """The file as a whole cannot be imported; the message says why, in Dutch."""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def check_size(size: int) -> None:
    if size > max_bytes():
        raise ImportRefused(
            _t(
                "Het bestand is te groot (%(size)s kB); de grens is %(limit)s kB. Splits het "
                "bestand en voer de delen na elkaar in."
            )
            % {"size": (size + 1023) // 1024, "limit": max_bytes() // 1024}
        )


def too_many_rows() -> ImportRefused:
    return ImportRefused(
        _t(
            "Het bestand telt meer dan %(limit)s regels. Splits het bestand en voer de delen "
            "na elkaar in."
        )
        % {"limit": max_rows()}
    )


# Headers --------------------------------------------------------------------------------------


def column_names(resource_class) -> list[str]:
    return [field.column_name for field in resource_class().get_export_fields()]


def required_columns(resource_class) -> list[str]:
    return list(getattr(resource_class, "required_columns", []))


def checked_headers(raw_headers, resource_class) -> list[str]:
    """The headers of the file as the resource's column names; refused if they are not."""
    known = {name.casefold(): name for name in column_names(resource_class)}
    headers, unknown = [], []
    for raw in raw_headers:
        text = "" if raw is None else str(raw).replace("\ufeff", "").strip()
        name = known.get(text.casefold())
        if name is None:
            unknown.append(text or _t("(lege kop)"))
        headers.append(name or text)
    if unknown:
        raise ImportRefused(
            _t("Onbekende kolommen: %(unknown)s. Gebruik de kolomnamen van de export: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(known.values())}
        )
    doubles = sorted({name for name in headers if headers.count(name) > 1})
    if doubles:
        raise ImportRefused(
            _t("Deze kolommen staan er meer dan eens in: %(columns)s.")
            % {"columns": ", ".join(doubles)}
        )
    missing = [name for name in required_columns(resource_class) if name not in headers]
    if missing:
        raise ImportRefused(
            _t("Deze verplichte kolommen ontbreken: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return headers


def whole_number(value) -> bool:
    if isinstance(value, int | float):
        return float(value).is_integer()
    return str(value).strip().isdigit()


def build_dataset(headers, rows, resource_class) -> tablib.Dataset:
    headers = checked_headers(headers, resource_class)
    if not rows:
        raise ImportRefused(_t("Het bestand bevat geen regels om in te voeren."))
    if "id" in headers:
        column = headers.index("id")
        for number, row in enumerate(rows, start=1):
            value = row[column]
            if value not in ("", None) and not whole_number(value):
                raise ImportRefused(
                    _t(
                        "Regel %(line)s: de id '%(value)s' is geen getal. Laat de kolom id "
                        "uit de export ongewijzigd, en leeg voor een nieuw record."
                    )
                    % {"line": number, "value": value}
                )
    return tablib.Dataset(*rows, headers=headers)


# CSV ------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused(
            _t("Dit is een Excel-werkmap (XLSX), geen CSV-bestand. Kies het formaat XLSX.")
        )
    if b"\x00" in data[:8192]:
        raise ImportRefused(
            _t(
                "Dit is geen CSV-bestand: het bevat binaire gegevens. Sla het bestand in uw "
                "spreadsheetprogramma op als CSV of XLSX."
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # What Excel writes as "CSV (gescheiden door lijstscheidingsteken)" on Windows.
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            _t("De tekens in dit CSV-bestand zijn onleesbaar. Sla het op als CSV UTF-8.")
        ) from exc


def sniff_delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def unescape_formula(value: str) -> str:
    """Undo the apostrophe the export puts before a formula character."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def read_csv(data: bytes, resource_class) -> tablib.Dataset:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    limit = max_rows()
    try:
        headers = next(reader, None)
        if not headers or not any(cell.strip() for cell in headers):
            raise ImportRefused(
                _t("Het bestand is leeg: de eerste regel moet de kolomnamen bevatten.")
            )
        width = len(headers)
        rows = []
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue
            if len(rows) >= limit:
                raise too_many_rows()
            if len(line) > width and any(cell.strip() for cell in line[width:]):
                raise ImportRefused(
                    _t(
                        "Regel %(line)s heeft %(cells)s cellen, maar er zijn %(columns)s "
                        "kolommen. Controleer het scheidingsteken en de aanhalingstekens."
                    )
                    % {"line": len(rows) + 1, "cells": len(line), "columns": width}
                )
            line = [unescape_formula(cell) for cell in line[:width]]
            rows.append(line + [""] * (width - len(line)))
    except csv.Error as exc:
        raise ImportRefused(
            _t("Dit CSV-bestand is onleesbaar rond regel %(line)s.") % {"line": reader.line_num}
        ) from exc
    return build_dataset(headers, rows, resource_class)


# XLSX -----------------------------------------------------------------------------------------


def not_a_workbook() -> ImportRefused:
    return ImportRefused(
        _t(
            "Dit is geen Excel-werkmap (XLSX), ook al eindigt de naam op .xlsx. Sla het bestand "
            "in uw spreadsheetprogramma op als Excel-werkmap (.xlsx) of kies het formaat CSV."
        )
    )


def xlsx_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date()
    return value


def read_xlsx(data: bytes, resource_class) -> tablib.Dataset:
    if not data.startswith(b"PK\x03\x04"):
        raise not_a_workbook()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise not_a_workbook() from exc
    if unpacked > max(len(data), 1) * XLSX_UNPACK_RATIO and unpacked > max_bytes():
        raise ImportRefused(
            _t("Deze werkmap is uitgepakt te groot om in te voeren. Splits het bestand.")
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise not_a_workbook() from exc
    try:
        sheets = [sheet for sheet in book.worksheets if sheet.title != ALLOWED_VALUES_SHEET]
        if not sheets:
            raise ImportRefused(_t("De werkmap bevat geen werkblad met gegevens."))
        name = getattr(resource_class._meta, "name", None)
        sheet = next((s for s in sheets if s.title == name), sheets[0])
        lines = sheet.iter_rows(values_only=True)
        headers = list(next(lines, None) or [])
        while headers and headers[-1] in (None, ""):
            headers.pop()
        if not headers:
            raise ImportRefused(
                _t("Het werkblad is leeg: de eerste rij moet de kolomnamen bevatten.")
            )
        width, limit = len(headers), max_rows()
        rows, empty = [], 0
        for line in lines:
            values = [xlsx_cell(value) for value in line]
            if not any(str(value).strip() for value in values):
                empty += 1
                if empty >= EMPTY_ROWS_ENOUGH:
                    break
                continue
            empty = 0
            if len(rows) >= limit:
                raise too_many_rows()
            values = values[:width]
            rows.append(values + [""] * (width - len(values)))
    finally:
        book.close()
    return build_dataset(headers, rows, resource_class)


# Export ---------------------------------------------------------------------------------------


def safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def choice_columns(resource_class):
    """(column name, [(value, label), ...]) for every choice column of the resource."""
    model = resource_class._meta.model
    found = []
    for field in resource_class().get_export_fields():
        names = {f.name for f in model._meta.get_fields()}
        if field.attribute not in names:
            continue  # a computed column (codes across relations) has no choices
        model_field = model._meta.get_field(field.attribute)
        if getattr(model_field, "choices", None):
            found.append((field.column_name, [(v, str(label)) for v, label in model_field.choices]))
    return found


class RegistryCSV(CSV):
    """CSV as Dutch spreadsheet programs read and write it."""

    resource_class = None
    CONTENT_TYPE = "text/csv; charset=utf-8"

    def get_title(self):
        return "csv"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_csv(bytes(in_stream), self.resource_class)

    def export_data(self, dataset, **kwargs):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(dataset.headers)
        for row in dataset:
            writer.writerow(["" if v is None else safe_text(str(v)) for v in row])
        return out.getvalue().encode("utf-8")


class RegistryXLSX(XLSX):
    """An Excel workbook: a named sheet with real cells, and the allowed values beside it."""

    resource_class = None

    def get_title(self):
        return "xlsx"

    def create_dataset(self, in_stream, **kwargs):
        return read_xlsx(bytes(in_stream), self.resource_class)

    def export_data(self, dataset, **kwargs):
        book = Workbook()
        sheet = book.active
        sheet.title = (getattr(self.resource_class._meta, "name", None) or "Gegevens")[:31]
        sheet.append(list(dataset.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in dataset:
            sheet.append([xlsx_value(value) for value in row])
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "DD-MM-YYYY"
                elif isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"  # text that starts with "=" stays text
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, header in enumerate(dataset.headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(len(header), 10) + 4

        allowed = book.create_sheet(ALLOWED_VALUES_SHEET)
        allowed.append([_t("kolom"), _t("waarde"), _t("betekenis")])
        for cell in allowed[1]:
            cell.font = Font(bold=True)
        for column, choices in choice_columns(self.resource_class):
            for value, label in choices:
                allowed.append([column, value, label])
        for letter, width in zip("ABC", (22, 18, 44), strict=True):
            allowed.column_dimensions[letter].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def xlsx_value(value):
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def formats_for(resource_class):
    """The CSV and XLSX formats of the admin, bound to ``resource_class``."""
    return [
        type("CSV", (RegistryCSV,), {"resource_class": resource_class}),
        type("XLSX", (RegistryXLSX,), {"resource_class": resource_class}),
    ]


# Widgets --------------------------------------------------------------------------------------


#: Choice values as spreadsheets exported before the values became Dutch wrote them: such a
#: file still imports, each value read as the Dutch value it was renamed to.
FORMER_VALUES = {
    "regional": "regionaal",
    "national": "landelijk",
    "in_transition": "in_transitie",
    "pioneer": "pioniersfase",
    "confirmed": "bevestigd",
    "uncertain": "te_bevestigen",
    "case_meetings": "casusoverleg",
    "part_time": "deeltijd",
    "full_time": "fulltime",
    "planned": "gepland",
    "active": "actief",
    "ended": "beeindigd",
    "addition": "aanvulling",
    "omission": "weglating",
    "adjustment": "aanpassing",
    "phase_out": "afbouw",
    "proposed": "voorgesteld",
    "agreed": "overeengekomen",
    "rejected": "afgewezen",
    "unit": "eenheid",
    "house": "huis",
    "end": "beeindigen",
    "deadline": "afbouwdatum",
    "draft": "concept",
    "published": "gepubliceerd",
    "superseded": "vervangen",
    "core": "kern",
    "optional": "optioneel",
    "excluded": "uitgesloten",
    "participates": "neemt_deel",
    "on_request": "op_verzoek",
    "none": "geen",
}


class ChoiceWidget(widgets.CharWidget):
    """A choice column: the value as the API has it, or its Dutch label, in any case; a value
    from before the values became Dutch (``FORMER_VALUES``) is read as its Dutch successor."""

    def __init__(self, choices, column, **kwargs):
        self.choices = [(str(value), str(label)) for value, label in choices]
        self.column = column
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if text == "":
            return ""
        former = FORMER_VALUES.get(text.casefold())
        for code, label in self.choices:
            if text.casefold() in (code.casefold(), label.casefold()) or former == code:
                return code
        raise ValueError(
            _t("Onbekende waarde '%(value)s' in kolom %(column)s; toegestaan: %(allowed)s.")
            % {
                "value": text,
                "column": self.column,
                "allowed": ", ".join(f"{code} ({label})" for code, label in self.choices),
            }
        )
