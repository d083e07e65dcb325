"""make bench-import: time and memory of a spreadsheet import in the admin at the row limit.

Starts a throwaway PostgreSQL cluster, migrates, creates one eenheid with ten houses and a
small standard, and then, as unit staff through the admin (Django's test client, so every
request passes the middleware, the import code and the templates):

1. previews a CSV of IMPORT_MAX_ROWS new variations (the dry run and the preview page);
2. confirms it (every row saved one by one, with history);
3. exports them as XLSX;
4. previews the unchanged XLSX (every row compared and skipped);
5. confirms that (nothing written);
6. uploads a CSV one row over the limit (refused before any row is imported).

Prints a table and rewrites the block between the markers in docs/benchmarks.md. Knobs:
IMPORT_MAX_ROWS (default: the setting's default), BENCH_PG_PORT (54341).
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from run import Postgres, log  # noqa: E402

REPORT = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- make bench-import: start -->", "<!-- make bench-import: end -->"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(steps, name, action):
    started = time.perf_counter()
    detail = action()
    seconds = time.perf_counter() - started
    steps.append((name, seconds, peak_rss_mb(), detail))
    log(f"{name}: {seconds:.1f} s, peak RSS {peak_rss_mb():.0f} MB ({detail})")


def run_steps():
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then reports the template context
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from houses.models import House, PoliceUnit, Variation
    from registry.models import User
    from roles.models import Presence, Role, StandardVersion, Task

    call_command("migrate", verbosity=0)
    rows = settings.IMPORT_MAX_ROWS
    unit = PoliceUnit.objects.create(code="oost", name="Oost", kind=PoliceUnit.Kind.REGIONAL)
    houses = [
        House.objects.create(code=f"huis-{i}", name=f"Huis {i}", police_unit=unit)
        for i in range(10)
    ]
    version = StandardVersion.objects.create(
        version="1.0",
        title="Standaard",
        status=StandardVersion.Status.PUBLISHED,
        published_on=datetime.date(2024, 1, 1),
    )
    role = Role.objects.create(
        standard_version=version,
        code="liaison",
        name="Liaison",
        expected_presence=Presence.PART_TIME,
        position=1,
    )
    for i in range(5):
        Task.objects.create(role=role, code=f"taak-{i}", title=f"Taak {i}", position=i)
    user = User.objects.create_user(
        "eenheid-oost", password="x", kind=User.Kind.UNIT, police_unit=unit, is_staff=True
    )
    client = Client(secure=True)  # production settings: secure cookies
    client.force_login(user)
    import_url = reverse("admin:houses_variation_import")
    confirm_url = reverse("admin:houses_variation_process_import")
    export_url = reverse("admin:houses_variation_export")

    def new_rows_csv(count):
        lines = ["veiligheidshuis;rol;taak;soort;onderbouwing;status"]
        for n in range(count):
            lines.append(
                f"{houses[n % 10].code};liaison;taak-{n % 5};{Variation.Kind.OMISSION.value};"
                f"Benchmarkregel {n};{Variation.Status.PROPOSED.value}"
            )
        return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()

    def preview(content, name, file_format):
        return client.post(
            import_url,
            {"import_file": SimpleUploadedFile(name, content), "format": file_format},
        )

    def confirm(response):
        form = response.context["confirm_form"]
        done = client.post(confirm_url, {name: form[name].value() for name in form.fields})
        assert done.status_code == 302, done.status_code

    steps = []
    state = {}
    content = new_rows_csv(rows)

    def step_preview_new():
        state["preview"] = response = preview(content, "nieuw.csv", "0")
        assert response.context.get("confirm_form") is not None
        return f"{len(content) // 1024} kB CSV, page {len(response.content) // 1024} kB"

    def step_confirm_new():
        confirm(state["preview"])
        assert Variation.objects.count() == rows
        return f"{rows} rows saved"

    def step_export():
        form = client.get(export_url).context["form"]
        data = {name: "on" for name, field in form.fields.items() if field.initial is True}
        data.update({"format": "1", "resource": "0"})
        state["xlsx"] = client.post(export_url, data).content
        return f"{len(state['xlsx']) // 1024} kB XLSX"

    def step_preview_unchanged():
        state["preview"] = response = preview(state["xlsx"], "export.xlsx", "1")
        types = {row.import_type for row in response.context["result"].rows}
        assert types == {"skip"}, types
        return f"all {rows} rows unchanged, page {len(response.content) // 1024} kB"

    def step_confirm_unchanged():
        before = Variation.history.count()
        confirm(state["preview"])
        assert Variation.history.count() == before
        return "nothing written"

    def step_over_limit():
        response = preview(new_rows_csv(rows + 1), "te-groot.csv", "0")
        assert "import_file" in response.context["form"].errors
        return "refused"

    log(f"import at the row limit: {rows} rows, as unit staff, on PostgreSQL")
    measure(steps, f"1. preview, {rows} new rows (CSV)", step_preview_new)
    measure(steps, f"2. confirm, {rows} new rows", step_confirm_new)
    measure(steps, f"3. export, {rows} rows (XLSX)", step_export)
    measure(steps, f"4. preview, {rows} unchanged rows (XLSX)", step_preview_unchanged)
    measure(steps, f"5. confirm, {rows} unchanged rows", step_confirm_unchanged)
    measure(steps, f"6. upload of {rows + 1} rows (over the limit)", step_over_limit)
    return rows, steps


def write_report(rows, steps, pg_version):
    import django

    lines = [
        START,
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} CPUs (shared), {platform.platform()}",
        f"- Software: Python {platform.python_version()}, Django {django.get_version()}, "
        f"{pg_version}",
        f"- IMPORT_MAX_ROWS={rows}; one process, the admin through Django's test client, "
        "PostgreSQL with fsync off; peak RSS is the process's peak so far (it never shrinks).",
        "",
        "| step | seconds | peak RSS MB | what |",
        "|---|---|---|---|",
        *[
            f"| {name} | {seconds:.1f} | {rss:.0f} | {detail} |"
            for name, seconds, rss, detail in steps
        ],
        "",
        END,
    ]
    text = REPORT.read_text()
    block = "\n".join(lines)
    if START in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Spreadsheet import at the row limit\n\n" + block + "\n"
    REPORT.write_text(text)


def main():
    if os.environ.get("BENCH_CHILD") == "1":
        rows, steps = run_steps()
        write_report(rows, steps, os.environ["BENCH_PG_VERSION"])
        return
    pg = Postgres(int(os.environ.get("BENCH_PG_PORT", "54341")))
    try:
        url = pg.start()
        env = {
            **os.environ,
            "BENCH_CHILD": "1",
            "BENCH_PG_VERSION": pg.version(),
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "registry.settings",
            "DEBUG": "false",
            "SECRET_KEY": "import-benchmark-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        }
        # A fresh process, so its peak memory is the import's and not this script's.
        subprocess.run([sys.executable, __file__], env=env, check=True, cwd=ROOT)
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
