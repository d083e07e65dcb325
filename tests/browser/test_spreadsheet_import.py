"""As unit staff in a real browser: export, edit the file as a spreadsheet program would,
import it back with a preview; the pages pass axe and the errors are readable by keyboard."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe

from houses.models import Assignment, Variation
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FORMATS = {"csv": "0", "xlsx": "1"}


def assert_accessible(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()


def admin_login(page, base_url, username="eenheid-noord"):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def download_export(page, base_url, model_path, file_format, tmp_path):
    page.goto(f"{base_url}/admin/houses/{model_path}/export/")
    assert_accessible(page)
    select_all = page.get_by_label("Alle kolommen selecteren")
    assert select_all.is_checked()
    page.select_option("#id_format", FORMATS[file_format])
    with page.expect_download() as download:
        page.click("input[type=submit][value=Exporteren]")
    target = tmp_path / f"export.{file_format}"
    download.value.save_as(target)
    return target


def edit_file(path: Path, file_format, change):
    """Apply ``change(row: dict) -> None`` to every data row, as a person editing would."""
    if file_format == "xlsx":
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        for cells in sheet.iter_rows(min_row=2):
            row = {h: c.value for h, c in zip(headers, cells, strict=False)}
            change(row)
            for header, cell in zip(headers, cells, strict=False):
                if row[header] != cell.value:
                    cell.value = row[header]
        book.save(path)
        return
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    for row in rows:
        change(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(("\ufeff" + out.getvalue()).encode())


def upload_for_preview(page, base_url, model_path, path, file_format):
    page.goto(f"{base_url}/admin/houses/{model_path}/import/")
    assert_accessible(page)
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", FORMATS[file_format])
    with page.expect_navigation():
        page.click("input[type=submit][value='Voorbeeld tonen']")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_unit_staff_export_edit_and_reimport_assignments_with_a_preview(
    file_format, page, live_server_url, tmp_path
):
    base = live_server_url
    admin_login(page, base)
    path = download_export(page, base, "assignment", file_format, tmp_path)

    # The browser tests share their data: each format sets its own value.
    hours = {"csv": 32, "xlsx": 30}[file_format]

    def fewer_hours_in_groningen(row):
        if row["veiligheidshuis"] == "avz-groningen" and row["rol"] == "liaison":
            row["urenPerWeek"] = hours

    edit_file(path, file_format, fewer_hours_in_groningen)
    upload_for_preview(page, base, "assignment", path, file_format)

    preview = page.get_by_role("region", name="Voorbeeld")
    preview.wait_for()
    # No database read before the confirmation: on SQLite the live server and the test share
    # one in-memory database, and a read in the test's transaction would lock the table.
    assert page.locator("tr.update").count() == 1
    skipped = page.locator("tr.skip").count()
    assert skipped >= 1
    assert_accessible(page)
    page.click("input[type=submit][value='Import bevestigen']")
    page.wait_for_url(f"{base}/admin/houses/assignment/")
    assert "Import voltooid: 0 nieuw, 1 gewijzigd" in page.locator(".messagelist").inner_text()
    assert skipped == Assignment.objects.count() - 1

    changed = Assignment.objects.get(house__code="avz-groningen", role__code="liaison")
    assert changed.hours_per_week == hours
    assert changed.history.first().history_change_reason
    assert list(Assignment.objects.exclude(pk=changed.pk).values_list("revision", flat=True)) == [
        1
    ] * (Assignment.objects.count() - 1)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_changed_row_of_another_eenheid_shows_errors_as_text_reachable_by_keyboard(
    file_format, page, live_server_url, tmp_path
):
    base = live_server_url
    admin_login(page, base)
    path = download_export(page, base, "variation", file_format, tmp_path)
    foreign = Variation.objects.exclude(house__police_unit__code="noord-nederland").first()

    def touch_foreign_row(row):
        if str(row["id"]) == str(foreign.pk):
            row["onderbouwing"] = "Door een andere eenheid gewijzigd"

    edit_file(path, file_format, touch_foreign_row)
    upload_for_preview(page, base, "variation", path, file_format)

    summary = page.get_by_role("alert")
    assert "1 regel bevat fouten" in summary.inner_text()
    error = page.get_by_text("dit record hoort bij een andere eenheid dan de uwe")
    error.wait_for()
    assert page.locator("input[value='Import bevestigen']").count() == 0
    assert_accessible(page)

    # The rows with errors scroll sideways inside their own box, which the keyboard reaches.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('registry-scroll')"):
            break
    else:
        pytest.fail("The scrolling box with the rows is not reachable by keyboard.")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    foreign.refresh_from_db()
    assert foreign.revision == 1
