"""Refresh the README screenshots (docs/screenshots/) from the data `make run` loads.

Usage: .venv/bin/python bin/screenshots.py

Builds a throwaway SQLite registry (migrate, load_reference, load_demo), serves it with
runserver on a free port, signs in as the demo ketenmanager in the system Chromium (headless)
and saves each page as a PNG. Nothing outside docs/screenshots/ is touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "demo-veiligheidshuis"

# file name, path, viewport width, full page
SHOTS = [
    ("dashboard.png", "/", 1280, True),
    ("house.png", "/veiligheidshuizen/vh-drenthe/", 1280, True),
    ("house-phone.png", "/veiligheidshuizen/avz-groningen/", 390, True),
    (
        "comparison.png",
        "/vergelijk/?huis=avz-groningen&huis=vh-drenthe&huis=zvh-noord-limburg",
        1280,
        True,
    ),
    ("map.png", "/kaart/", 1280, False),
    ("phase-outs.png", "/afbouw/", 1280, False),
    ("history.png", "/veiligheidshuizen/avz-groningen/geschiedenis/", 1280, False),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{folder}/screens.sqlite3",
        }
        for command in (["migrate", "--noinput"], ["load_reference"], ["load_demo"]):
            subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
                [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/gezondheid", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            take(base)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


def take(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for name, path, width, full in SHOTS:
            context = browser.new_context(
                viewport={"width": width, "height": 900 if width > 500 else 844},
                device_scale_factor=1,
                locale="nl-NL",
            )
            page = context.new_page()
            page.goto(f"{base}/inloggen/")
            page.fill("#id_username", "ketenmanager")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}{path}")
            page.screenshot(path=str(OUT / name), full_page=full)
            print(f"{name}: {path}")
            context.close()
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
