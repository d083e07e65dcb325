"""Real HTTP against ``manage.py runserver``, the server that ``make run`` starts.

wsgiref (under runserver) is stricter than Django's test client and gunicorn: header names and
values must be exact ``str``. These tests write through the API over a socket, so a response
the server refuses shows here as a 500 or a dropped connection.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roles.models import Presence

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from houses.models import House, PoliceUnit
from registry.models import ApiToken, User
from roles.models import Role, StandardVersion, Task

unit = PoliceUnit.objects.create(code="eenheid-a", name="Eenheid A")
House.objects.create(code="huis-a", name="Veiligheidshuis A", seat="Stad", police_unit=unit)
version = StandardVersion.objects.create(version="1.0", title="Standaard")
role = Role.objects.create(
    standard_version=version,
    code="liaison",
    name="Liaison",
    expected_presence=Role._meta.get_field("expected_presence").choices[0][0],
)
Task.objects.create(role=role, code="schakel", title="Schakel", kind=Task.Kind.CORE)
version.publish(changes="Eerste versie")
user = User.objects.create_user("landelijk", password="x", kind=User.Kind.NATIONAL)
_, token = ApiToken.objects.create(user=user, name="http")
print(token, role.pk)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("runserver") / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "registry.settings",
        "PYTHONUNBUFFERED": "1",
    }
    manage(env, "migrate", "--noinput")
    token, role = manage(env, "shell", "-c", SETUP).stdout.split()[-2:]
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stdout.read()) from None
                time.sleep(0.2)
        yield {"port": port, "token": token, "role": int(role)}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def call(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=30)
    all_headers = {"Authorization": f"Token {server['token']}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    try:
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), data
    finally:
        connection.close()


def test_create_update_and_delete_over_real_http(server):
    status, headers, data = call(
        server,
        "POST",
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": server["role"],
            "aanwezigheid": Presence.PART_TIME,
        },
    )
    assert status == 201, data
    created = json.loads(data)
    assert headers["Location"] == created["url"]
    path = "/api/v1/toewijzingen/" + created["url"].rsplit("/", 1)[1]

    status, headers, data = call(
        server, "PATCH", path, {"opmerkingen": "Via echte HTTP."}, {"If-Match": headers["ETag"]}
    )
    assert status == 200, data
    assert json.loads(data)["opmerkingen"] == "Via echte HTTP."

    status, _, data = call(server, "DELETE", path, headers={"If-Match": headers["ETag"]})
    assert status == 204, data
    status, _, data = call(server, "GET", path)
    assert status == 404, data
