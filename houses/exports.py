"""CSV and XLSX exports of a house's task package and of the national matrix.

Both are built from ``houses.package.task_packages`` (through ``houses.overview.matrix``), so
a spreadsheet shows exactly what the pages show. CSV uses a semicolon and a byte-order mark,
which Dutch spreadsheet programs open correctly; cells that start with a formula character are
prefixed with an apostrophe so a spreadsheet never runs them.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from houses import consent
from houses.overview import MatrixRow
from houses.package import TaskPackage

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: Dates in tables and CSV files: 31-10-2026; XLSX files get real date cells in that format.
TABLE_DATE = "%d-%m-%Y"
XLSX_DATE = "DD-MM-YYYY"


def _date(value):
    """A date cell: the date itself (CSV writes it as 31-10-2026, XLSX as a date), or empty."""
    return value or ""


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else "–"


def consent_header():
    """The columns that say who agreed on both sides and when, and who else was involved."""
    return [
        _("Voorgesteld door"),
        _("Voorgesteld op"),
        _("Ingestemd door"),
        _("Ingestemd op"),
        _("Overige betrokkenen"),
    ]


def consent_cells(v) -> list:
    """Who proposed ``v`` (and for which side) and when, who agreed (for the other side, or
    national staff in its place) and when, and the free-text note of others involved."""
    if v is None:
        return ["", "", "", "", ""]
    if v.agreed_before_consent:
        before = _("vóór de tweezijdige instemming in het register")
        return ["", "", before, _date(v.agreed_on), v.agreed_with]
    proposer = ""
    if v.proposed_side:
        proposer = _("%(name)s, namens %(side)s") % {
            "name": _person(v.proposed_by),
            "side": consent.side_label(v.proposed_side),
        }
    consenter = ""
    if v.agreed_by_id:
        side = consent.side_label(consent.other(v.proposed_side or consent.Side.UNIT))
        template = (
            _("%(name)s, landelijk beheer namens %(side)s")
            if v.decided_on_behalf
            else _("%(name)s, namens %(side)s")
        )
        consenter = template % {"name": _person(v.agreed_by), "side": side}
    return [
        proposer,
        _date(timezone.localdate(v.proposed_at)) if v.proposed_at else "",
        consenter,
        _date(timezone.localdate(v.decided_at)) if v.agreed_by_id and v.decided_at else "",
        v.agreed_with,
    ]


def package_table(package: TaskPackage, role_code: str | None = None):
    """Header and rows of a house's task package, optionally of one role only."""
    header = [
        _("Rol"),
        _("Taak"),
        _("Soort taak"),
        _("Status"),
        _("Norm"),
        _("Soort afwijking"),
        _("Onderbouwing"),
        *consent_header(),
        _("Afgebouwd uiterlijk"),
        _("Verlopen"),
        _("Voorgesteld"),
        _("Telt in conformiteit als"),
        _("Bezetting"),
        _("Contactpersoon"),
        _("Functionele mailbox"),
        _("Telefoon"),
    ]
    rows = []
    contacts = {rp.role.code: role_contact(package, rp) for rp in package.roles}

    def line_row(line):
        v = line.variation
        return [
            line.role.name,
            line.title,
            line.task.get_kind_display() if line.task else _("Aanvulling"),
            str(line.status_label),
            line.norm,
            v.get_kind_display() if v else "",
            v.rationale if v else "",
            *consent_cells(v),
            _date(line.deadline),
            _("ja") if line.overdue else "",
            "; ".join(f"{p.get_kind_display()}: {p.rationale}" for p in line.proposed),
            str(line.conformance_label),
            *contacts.get(line.role.code, ["", "", "", ""]),
        ]

    for rp in package.roles:
        if role_code and rp.role.code != role_code:
            continue
        rows.extend(line_row(line) for line in rp.tasks)
    for line in package.additions + package.phase_outs:
        if role_code and line.role.code != role_code:
            continue
        rows.append(line_row(line))
    # What the police does not do here: the excluded tasks of the standard; one still
    # performed here is the phase-out line above, with its deadline.
    for item in package.excluded:
        if (role_code and item.role.code != role_code) or item.phase_out:
            continue
        rows.append(
            [
                item.role.name,
                item.task.title,
                item.task.get_kind_display(),
                _("Geen politietaak: de politie doet dit hier niet"),
                "",
                "",
                "",
                *consent_cells(None),
                "",
                "",
                "; ".join(f"{p.get_kind_display()}: {p.rationale}" for p in item.proposed),
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return header, rows


def role_contact(package: TaskPackage, rp) -> list[str]:
    """Filling, name, mailbox and phone of a role: its officers when filled (several joined),
    the eenheid's contact point when vacant."""
    if rp.filling:
        return [
            str(_("Bezet")),
            "; ".join(a.officer_name for a in rp.filling if a.officer_name),
            "; ".join(a.contact_mailbox for a in rp.filling if a.contact_mailbox),
            "; ".join(a.contact_phone for a in rp.filling if a.contact_phone),
        ]
    unit = package.house.police_unit
    return [
        str(_("Vacant; contact via de eenheid")),
        unit.contact_label or unit.name,
        unit.contact_mailbox,
        unit.contact_phone,
    ]


def matrix_header(role_names: list[str]) -> list:
    """The header of the national matrix, with a column per role."""
    return [
        _("Code"),
        _("Veiligheidshuis"),
        _("Eenheid"),
        _("Veiligheidsregio"),
        _("Status Landelijk kader"),
        *role_names,
        _("Standaardtaken conform"),
        _("Standaardtaken"),
        _("Niet geleverd (rol vacant)"),
        _("Verlopen afbouw"),
        _("Voorgestelde afwijkingen"),
    ]


def matrix_table(rows: list[MatrixRow]):
    """Header and rows of the national matrix: one row per house, one column per role."""
    header = matrix_header([cell.role_name for cell in rows[0].cells] if rows else [])
    table = []
    for row in rows:
        summary = row.package.summary
        table.append(
            [
                row.house.code,
                row.house.name,
                row.house.police_unit.name,
                row.house.safety_region,
                row.house.get_framework_status_display() or _("nog niet vastgesteld"),
                *[cell.text for cell in row.cells],
                summary.delivered_as_standard,
                summary.standard_tasks,
                summary.vacant_tasks,
                summary.overdue_phase_outs,
                summary.proposed,
            ]
        )
    return header, table


def phase_out_table(variations):
    """Header and rows of the phase-out overview (``is_overdue_on`` set on each variation)."""
    header = [
        _("Afgebouwd uiterlijk"),
        _("Verlopen"),
        _("Veiligheidshuis"),
        _("Eenheid"),
        _("Rol"),
        _("Taak"),
        _("Onderbouwing"),
        *consent_header(),
    ]
    rows = [
        [
            v.phase_out_by,
            _("ja") if v.is_overdue_on else "",
            v.house.name,
            v.house.police_unit.name,
            v.role.name,
            v.subject_title,
            v.rationale,
            *consent_cells(v),
        ]
        for v in variations
    ]
    return header, rows


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value):
    if isinstance(value, datetime.date):
        return value.strftime(TABLE_DATE)
    return _safe(value)


def csv_response(filename: str, header, rows) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_safe(str(h)) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _width_text(value):
    if isinstance(value, datetime.date):
        return "31-12-2026"
    return str(value if value is not None else "")


def xlsx_response(filename: str, title: str, header, rows) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime.date):
                cell.number_format = XLSX_DATE
    sheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        width = max((len(_width_text(c.value)) for c in column), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60) + 2
    sheet.auto_filter.ref = sheet.dimensions
    generated = date_format(timezone.localdate(), "j F Y")
    workbook.properties.title = title
    workbook.properties.description = _("Gegenereerd op %(date)s") % {"date": generated}
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
