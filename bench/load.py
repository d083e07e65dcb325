"""make load: mixed API reads and writes against gunicorn + PostgreSQL; no 5xx, no lost write.

Starts a throwaway PostgreSQL cluster and gunicorn (two sync workers, production settings) on
loopback addresses only, generates the registry (``generate_scale``), and gives a token to
national staff and to staff of three eenheden. Then one thread per client (two per user)
reads (house, assignment and variation lists, details, task packages) and writes:

- PATCH of an assignment of its eenheid, with the ETag it just read as If-Match. Clients of
  one eenheid share a few assignments, so some updates race and are refused with 412: that is
  the protection against lost updates working, not an error;
- POST of a new variation (an addition, proposed) on a house of its eenheid.

It stops by itself after LOAD_REQUESTS requests or LOAD_DURATION seconds, whichever comes
first, and then checks every accepted write: each created variation reads back with the
values sent; each assignment reads back with the values of its last accepted update, and its
history holds every accepted update at the revision the server returned; and the server's
write log (``registry.writes``) has one line for each accepted write, no more, no less.

It fails (exit 1) on any 5xx, connection error, unexpected status, lost write, or when a
worker's resident memory grew by more than LOAD_MAX_RSS_GROWTH_MB between the start (after a
warm-up) and the end. Knobs: LOAD_REQUESTS (default 3000), LOAD_DURATION (seconds, 60),
LOAD_CLIENTS_PER_USER (2), LOAD_SCALE (1), LOAD_PORT (8300), LOAD_PG_PORT (54350),
LOAD_MAX_RSS_GROWTH_MB (25), LOAD_SEED (1).

With LOAD_DB_RESTART_AFTER=<seconds> PostgreSQL is restarted (``pg_ctl restart -m fast``)
that long after the load started, while the clients keep going. Then a 503 (a passing database
error, with ``Retry-After``) is an allowed answer to any request; anything other than 2xx, 4xx
or 503 still fails the run, and so does any acknowledged (2xx) write that is not read back.
Every acknowledged write must be in the write log; lines of writes whose transaction was cut
off by the restart (answered 503) are counted and shown, not failed.
"""

from __future__ import annotations

import collections
import http.client
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the PostgreSQL and gunicorn helpers of make bench)

REQUESTS = int(os.environ.get("LOAD_REQUESTS", "3000"))
DURATION = float(os.environ.get("LOAD_DURATION", "60"))
CLIENTS_PER_USER = int(os.environ.get("LOAD_CLIENTS_PER_USER", "2"))
SCALE = int(os.environ.get("LOAD_SCALE", "1"))
PORT = int(os.environ.get("LOAD_PORT", "8300"))
PG_PORT = int(os.environ.get("LOAD_PG_PORT", "54350"))
MAX_RSS_GROWTH_MB = float(os.environ.get("LOAD_MAX_RSS_GROWTH_MB", "25"))
SEED = int(os.environ.get("LOAD_SEED", "1"))
DB_RESTART_AFTER = float(os.environ.get("LOAD_DB_RESTART_AFTER", "0"))  # 0: no restart
UNITS = 3  # eenheden with their own staff client
SHARED_ASSIGNMENTS = 4  # per eenheid: few, so that concurrent updates meet
bench.PORT = PORT
bench.DB_NAME = "registry_load"

SETUP = """
import json
from houses.models import Assignment, House, PoliceUnit
from registry.models import ApiToken, User

units = PoliceUnit.objects.filter(houses__isnull=False).distinct().order_by("code")
out = {"users": []}
def token(user):
    return ApiToken.objects.create(user=user, name="load")[1]
national, _ = User.objects.get_or_create(username="load-landelijk", defaults={"kind": "national"})
out["users"].append({"name": national.username, "token": token(national), "unit": None})
for unit in units[:%(units)d]:
    user, _ = User.objects.get_or_create(
        username=f"load-{unit.code}", defaults={"kind": "unit", "police_unit": unit}
    )
    houses = list(House.objects.filter(police_unit=unit).values_list("code", flat=True))
    mine = Assignment.objects.filter(house__police_unit=unit).order_by("pk")
    assignments = list(mine.values_list("pk", flat=True))
    out["users"].append({
        "name": user.username, "token": token(user), "unit": unit.code,
        "houses": houses, "assignments": assignments[:%(shared)d],
    })
print(json.dumps(out))
"""


def log(message: str) -> None:
    print(f"[load] {message}", flush=True)


class Client:
    """One API client with a token, on its own keep-alive connection to the loopback server."""

    def __init__(self, token: str):
        self.token = token
        self.connection = None

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"} | (
            headers or {}
        )
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                return response.status, dict(response.getheaders()), payload
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn's sync workers close idle keep-alive connections; retry once, on a
                # fresh connection, only when nothing was answered.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class Tally:
    """What happened, shared by all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.by_status = collections.Counter()
        self.by_operation = collections.Counter()
        self.problems: list[str] = []
        self.created: dict[str, dict] = {}  # url -> values sent
        self.updates: list[dict] = []  # {id, revision, values}
        self.latencies: list[float] = []

    def take(self) -> bool:
        """Reserve one request of the budget."""
        with self.lock:
            if self.requests >= REQUESTS:
                return False
            self.requests += 1
            return True

    def count(self, operation: str, status: int, seconds: float) -> None:
        with self.lock:
            self.by_status[status] += 1
            self.by_operation[operation] += 1
            self.latencies.append(seconds)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


def timed(tally: Tally, operation: str, client: Client, method: str, path: str, **kwargs):
    started = time.monotonic()
    try:
        status, headers, payload = client.call(method, path, **kwargs)
    except OSError as exc:
        tally.count(operation, 0, time.monotonic() - started)
        tally.problem(f"{method} {path}: verbinding mislukt ({exc!r})")
        return None
    tally.count(operation, status, time.monotonic() - started)
    if status >= 500 and not (DB_RESTART_AFTER and status == 503 and headers.get("Retry-After")):
        tally.problem(f"{method} {path}: {status} {payload[:200]!r}")
    return status, headers, payload


def expect(tally: Tally, result, allowed: set[int], what: str) -> bool:
    if result is None:
        return False
    status, _, payload = result
    if DB_RESTART_AFTER and status == 503:
        return False  # a passing database error while PostgreSQL restarts: nothing was changed
    if status not in allowed:
        if status < 500:  # 5xx are already recorded
            tally.problem(f"{what}: onverwacht {status} {payload[:300]!r}")
        return False
    return True


def read(tally: Tally, client: Client, user: dict, rng: random.Random) -> None:
    choice = rng.random()
    if choice < 0.25:
        path, op = f"/api/v1/veiligheidshuizen?pagina={rng.randint(1, 2)}", "lijst huizen"
    elif choice < 0.45:
        unit = user["unit"] or "oost-nederland"
        path, op = f"/api/v1/toewijzingen?eenheid={unit}&paginaGrootte=50", "lijst toewijzingen"
    elif choice < 0.6:
        path, op = "/api/v1/afwijkingen?status=voorgesteld&sorteer=-gewijzigd", "lijst afwijkingen"
    elif choice < 0.85:
        house = rng.choice(user.get("houses") or ["avz-groningen"])
        path, op = f"/api/v1/veiligheidshuizen/{house}/takenpakket", "takenpakket"
    else:
        path, op = "/api/v1/rollen", "lijst rollen"
    expect(tally, timed(tally, op, client, "GET", path), {200}, f"GET {path}")


def update_assignment(tally: Tally, client: Client, user: dict, rng: random.Random) -> None:
    pk = rng.choice(user["assignments"])
    path = f"/api/v1/toewijzingen/{pk}"
    result = timed(tally, "toewijzing lezen", client, "GET", path)
    if not expect(tally, result, {200}, f"GET {path}"):
        return
    etag = result[1]["ETag"]
    values = {
        "urenPerWeek": rng.randint(1, 80) / 2,
        "opmerkingen": f"belasting {uuid.uuid4().hex}",
    }
    result = timed(
        tally, "toewijzing wijzigen", client, "PATCH", path, body=values, headers={"If-Match": etag}
    )
    if not expect(tally, result, {200, 412}, f"PATCH {path}"):
        return
    if result[0] == 200:
        body = json.loads(result[2])
        with tally.lock:
            tally.updates.append({"id": pk, "revision": body["revisie"], "values": values})


def create_variation(tally: Tally, client: Client, user: dict, rng: random.Random, roles) -> None:
    values = {
        "veiligheidshuis": rng.choice(user["houses"]),
        "rol": rng.choice(roles),
        "soort": "aanvulling",
        "omschrijving": f"Extra taak {uuid.uuid4().hex[:12]}",
        "onderbouwing": f"Afgesproken in het driehoeksoverleg ({rng.randint(1, 999)}).",
        "herbeoordelenVoor": f"2027-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
    }
    result = timed(tally, "afwijking aanmaken", client, "POST", "/api/v1/afwijkingen", body=values)
    if expect(tally, result, {201}, "POST /api/v1/afwijkingen"):
        url = json.loads(result[2])["url"]
        with tally.lock:
            tally.created[url] = values


def drive(tally: Tally, user: dict, seed: int, deadline: float, roles: list[int]) -> None:
    rng = random.Random(seed)  # noqa: S311  (a reproducible mix, not a secret)
    client = Client(user["token"])
    while time.monotonic() < deadline and tally.take():
        choice = rng.random()
        if user["unit"] and choice < 0.15:
            update_assignment(tally, client, user, rng)
        elif user["unit"] and choice < 0.25:
            create_variation(tally, client, user, rng, roles)
        else:
            read(tally, client, user, rng)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]


def verify(tally: Tally, client: Client) -> dict:
    """Every accepted write is readable afterwards with its values."""
    lost = []
    for url, values in tally.created.items():
        status, _, payload = client.call("GET", path_of(url))
        body = json.loads(payload) if status == 200 else {}
        if status != 200:
            lost.append(f"{url}: {status}")
            continue
        for name in ("omschrijving", "onderbouwing", "herbeoordelenVoor"):
            if body[name] != values[name]:
                lost.append(f"{url}: {name} {body[name]!r} != {values[name]!r}")
        if body["veiligheidshuis"]["code"] != values["veiligheidshuis"]:
            lost.append(f"{url}: ander huis")
    by_assignment = collections.defaultdict(list)
    for update in tally.updates:
        by_assignment[update["id"]].append(update)
    for pk, updates in by_assignment.items():
        revisions = [u["revision"] for u in updates]
        if len(set(revisions)) != len(revisions):
            lost.append(f"toewijzing {pk}: twee geaccepteerde wijzigingen met één revisie")
        last = max(updates, key=lambda u: u["revision"])
        status, headers, payload = client.call("GET", f"/api/v1/toewijzingen/{pk}")
        body = json.loads(payload)
        if body["revisie"] != last["revision"]:
            lost.append(f"toewijzing {pk}: revisie {body['revisie']} != {last['revision']}")
        for name, value in last["values"].items():
            if body[name] != value:
                lost.append(f"toewijzing {pk}: {name} {body[name]!r} != {value!r}")
        notes_at = {}
        page = f"/api/v1/toewijzingen/{pk}/historie?paginaGrootte=100"
        entries = []
        while page:
            status, _, payload = client.call("GET", page)
            body = json.loads(payload)
            entries += body["resultaten"]
            page = body["volgende"] and body["volgende"].split("://", 1)[-1].split("/", 1)[-1]
            page = page and "/" + page
        for entry in entries:
            for change in entry["wijzigingen"]:
                if change["veld"] == "opmerkingen":
                    notes_at[entry["revisie"]] = change["nieuw"]
        for update in updates:
            if notes_at.get(update["revision"]) != update["values"]["opmerkingen"]:
                lost.append(f"toewijzing {pk}: revisie {update['revision']} niet in de historie")
    return {
        "created": len(tally.created),
        "updated": len(tally.updates),
        "assignments": len(by_assignment),
        "lost": lost,
    }


def audited_writes(server_log: Path) -> list[tuple]:
    """Writes of the load clients in the server's write log (one JSON line per write), as
    (model, object id, revision)."""
    found = []
    for line in server_log.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "write" and (entry.get("user") or "").startswith("load-"):
                found.append((entry["model"], entry["objectId"], entry["revision"]))
    return found


def accepted_writes(tally: Tally) -> list[tuple]:
    """The acknowledged writes, as the write log names them."""
    created = [
        ("houses.variation", int(url.rstrip("/").rsplit("/", 1)[1]), 1) for url in tally.created
    ]
    updated = [("houses.assignment", u["id"], u["revision"]) for u in tally.updates]
    return created + updated


class DatabaseRestart(threading.Thread):
    """Restarts PostgreSQL ``after`` seconds into the load; records how long it took."""

    def __init__(self, postgres: bench.Postgres, after: float):
        super().__init__(daemon=True)
        self.postgres, self.after = postgres, after
        self.seconds = None
        self.error = None

    def run(self):
        time.sleep(self.after)
        log(f"PostgreSQL herstarten na {self.after:.0f} s belasting")
        started = time.monotonic()
        try:
            self.postgres.pg(
                str(self.postgres.bin / "pg_ctl"),
                "-D",
                str(self.postgres.root / "data"),
                # A log file, so the restarted server does not hold pg_ctl's output pipe open.
                "-l",
                str(self.postgres.root / "log"),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "restart",
            )
        except Exception as exc:  # noqa: BLE001  (reported as a failure of the run)
            self.error = repr(exc)
        self.seconds = time.monotonic() - started
        log(f"PostgreSQL herstart klaar in {self.seconds:.1f} s")


def rss_mb(server: bench.Gunicorn) -> dict[int, float]:
    sizes = {}
    for pid in server.workers():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes[pid] = int(match.group(1)) / 1024
    return sizes


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    postgres = bench.Postgres(PG_PORT)
    server = None
    static_root = tempfile.mkdtemp(prefix="load-static.")
    try:
        log(f"PostgreSQL op 127.0.0.1:{PG_PORT}")
        env = {
            **os.environ,
            "DATABASE_URL": postgres.start(),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
        }
        bench.manage(env, "migrate", "--noinput")
        bench.manage(env, "collectstatic", "--noinput")
        bench.manage(env, "generate_scale", "--scale", str(SCALE), "--seed", str(SEED), debug=True)
        output = bench.manage(
            env, "shell", "-c", SETUP % {"units": UNITS, "shared": SHARED_ASSIGNMENTS}
        )
        setup = json.loads(output.strip().splitlines()[-1])
        users = setup["users"]
        log(
            f"SCALE={SCALE}; clients: {', '.join(u['name'] for u in users)} "
            f"(elk {CLIENTS_PER_USER} threads)"
        )
        server_log = Path(static_root) / "server.log"
        server = bench.Gunicorn(env, stderr=server_log.open("w"))
        server.start()
        log(f"gunicorn op 127.0.0.1:{PORT}, workers {server.workers()}")

        warm = Client(users[0]["token"])
        roles_page = json.loads(warm.call("GET", "/api/v1/rollen?gepubliceerd=true")[2])
        roles = [role["id"] for role in roles_page["resultaten"]]
        # Warm-up: every worker serves every kind of request before memory is measured.
        warm_tally = Tally()
        for i in range(40):
            read(warm_tally, warm, users[1], random.Random(i))  # noqa: S311
        if warm_tally.problems:
            log(f"opwarmen mislukt: {warm_tally.problems[:3]}")
            return 1
        rss_start = rss_mb(server)

        tally = Tally()
        started = time.monotonic()
        deadline = started + DURATION
        threads = [
            threading.Thread(
                target=drive, args=(tally, user, SEED * 100 + i * 10 + c, deadline, roles)
            )
            for i, user in enumerate(users)
            for c in range(CLIENTS_PER_USER)
        ]
        restart = DatabaseRestart(postgres, DB_RESTART_AFTER) if DB_RESTART_AFTER else None
        for thread in threads:
            thread.start()
        if restart:
            restart.start()
        for thread in threads:
            thread.join(timeout=DURATION + 120)
        if restart:
            restart.join(timeout=120)
        elapsed = time.monotonic() - started
        rss_end = rss_mb(server)
        check = verify(tally, Client(users[0]["token"]))
        logged = audited_writes(server_log)
        audited = len(logged)
        accepted_list = accepted_writes(tally)
        accepted = len(accepted_list)
        unlogged = [w for w in accepted_list if w not in set(logged)]
        cut_off = audited - (accepted - len(unlogged))
        calls = sum(tally.by_status.values())

        server_errors = sum(
            n
            for status, n in tally.by_status.items()
            if (status >= 500 and not (restart and status == 503)) or not status
        )
        growth = {pid: rss_end.get(pid, 0) - rss_start[pid] for pid in rss_start}
        log(
            f"{calls} verzoeken in {elapsed:.1f} s ({calls / elapsed:.0f}/s) "
            f"door {len(threads)} clients; p50 {percentile(tally.latencies, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(tally.latencies, 0.99) * 1000:.0f} ms"
        )
        log("per status: " + ", ".join(f"{s}: {n}" for s, n in sorted(tally.by_status.items())))
        log("per soort: " + ", ".join(f"{o}: {n}" for o, n in sorted(tally.by_operation.items())))
        log(
            f"geaccepteerde schrijfacties: {check['created']} afwijkingen aangemaakt, "
            f"{check['updated']} wijzigingen van {check['assignments']} toewijzingen "
            f"({tally.by_status[412]} keer 412: gelijktijdig gewijzigd); "
            f"verloren: {len(check['lost'])}; in het schrijflog: {audited}"
        )
        if restart:
            log(
                f"herstart van PostgreSQL: {restart.seconds or 0:.1f} s; "
                f"{tally.by_status[503]} keer 503 met Retry-After; "
                f"antwoorden anders dan 2xx/4xx/503: {server_errors}; "
                f"geaccepteerde schrijfacties niet in het schrijflog: {len(unlogged)}; "
                f"regels in het schrijflog zonder geaccepteerde schrijfactie (503): {cut_off}"
            )
        log(
            "geheugen per worker (RSS, MB): "
            + ", ".join(
                f"{pid}: {rss_start[pid]:.1f} -> {rss_end.get(pid, 0):.1f}" for pid in rss_start
            )
        )
        failures = []
        if server_errors:
            failures.append(f"{server_errors} serverfouten of verbindingsfouten")
        if tally.problems:
            failures.append(f"{len(tally.problems)} onverwachte antwoorden")
        if check["lost"]:
            failures.append(f"{len(check['lost'])} verloren schrijfacties")
        if restart:
            if restart.error or restart.seconds is None:
                failures.append(f"herstart van PostgreSQL mislukt: {restart.error}")
            if not tally.by_status[503] and not tally.by_status[200]:
                failures.append("geen antwoord tijdens of na de herstart")
            if unlogged:
                failures.append(f"{len(unlogged)} geaccepteerde schrijfacties niet gelogd")
        elif audited != accepted:
            failures.append(f"{audited} schrijfacties gelogd, {accepted} geaccepteerd")
        if not check["created"] or not check["updated"]:
            failures.append("geen geaccepteerde schrijfactie om te controleren")
        if set(rss_end) != set(rss_start):
            failures.append("een worker is herstart")
        elif max(growth.values()) > MAX_RSS_GROWTH_MB:
            failures.append(f"geheugen groeide {max(growth.values()):.1f} MB")
        for text in (tally.problems + check["lost"])[:20]:
            log(f"  {text}")
        if failures:
            errors = [line for line in server_log.read_text().splitlines() if '"event"' not in line]
            for line in errors[-40:]:
                print(f"[server] {line}", flush=True)
            log("MISLUKT: " + "; ".join(failures))
            return 1
        if restart:
            log("geslaagd: alleen 503 tijdens de herstart, geen verloren schrijfactie")
        else:
            log("geslaagd: geen 5xx, geen verloren schrijfactie, geheugen vlak")
        return 0
    finally:
        if server:
            server.stop()
        postgres.stop()
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
