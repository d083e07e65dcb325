"""make bench: throughput and latency of the main endpoints against a baseline.

Starts a throwaway PostgreSQL cluster, migrates, and for SCALE=1 and SCALE=40 generates the
registry (``manage.py generate_scale``), starts gunicorn with two sync workers in production
settings (DEBUG off, a generated SECRET_KEY, collected static files served by whitenoise),
logs in through the login page, and measures each endpoint with wrk (a separate process),
followed by the baseline: a view of the same server that returns a precomputed body of the
same size (mounted only in benchmark mode). Prints a table and writes docs/benchmarks.md.

Endpoints that answer 404 in this build are reported as not available. Their paths can be set
without editing this file: BENCH_PATH_<KEY>=/other/path (keys below), BENCH_HOUSE=<code>.
Other knobs: BENCH_DURATION (seconds per run, default 10), BENCH_SCALES ("1,40"),
BENCH_PORT (8200), BENCH_PG_PORT (54340), BENCH_CONNECTIONS (4).

The first read after a write: for the dashboard, the matrix export, the house page and the
task package, BENCH_ROUNDS (15) rounds of one write to an assignment of the measured house (an
ORM save in a helper process, so every change counter moves as in production) followed by one
timed request; median, 90th percentile and maximum. Once with the servers as above (a memory
cache per worker), and once with two app servers of two workers each sharing one Redis
(CACHE_URL; needs redis-server): the first server's read recomputes, the second's finds it.
BENCH_THROUGHPUT=0 skips the wrk runs (only the reads after a write); BENCH_REDIS=0 skips Redis.
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
LUA = str(ROOT / "bench" / "report.lua")
REPORT = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- make bench: start -->", "<!-- make bench: end -->"

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = 1
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1,40").split(",")]
PORT = int(os.environ.get("BENCH_PORT", "8200"))
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "54340"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
HOUSE = os.environ.get("BENCH_HOUSE", "avz-groningen")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
THROUGHPUT = os.environ.get("BENCH_THROUGHPUT", "1") != "0"
WITH_REDIS = os.environ.get("BENCH_REDIS", "1") != "0"
REDIS = shutil.which("redis-server")
DB_NAME = "registry_bench"
USERNAME = "benchmark"


@dataclass
class Endpoint:
    key: str
    label: str
    path: str
    kind: str = "html"  # content type of the baseline
    conditional: bool = False  # send If-None-Match with the ETag of a first response

    @property
    def url_path(self) -> str:
        path = os.environ.get(f"BENCH_PATH_{self.key.upper()}", self.path)
        return path.format(code=HOUSE)


ENDPOINTS = [
    Endpoint(
        "api_houses", "1. API veiligheidshuizen (één pagina)", "/api/v1/veiligheidshuizen", "json"
    ),
    Endpoint(
        "api_package", "2. API takenpakket", "/api/v1/veiligheidshuizen/{code}/takenpakket", "json"
    ),
    Endpoint(
        "api_package_304",
        "3. API takenpakket, If-None-Match (304)",
        "/api/v1/veiligheidshuizen/{code}/takenpakket",
        "json",
        conditional=True,
    ),
    Endpoint("house_page", "4. huispagina", "/veiligheidshuizen/{code}/"),
    Endpoint("dashboard", "5. dashboard", "/"),
    Endpoint("matrix_csv", "6. CSV-export landelijke matrix", "/matrix.csv", "csv"),
]


#: The reads measured right after a write (keys as in ENDPOINTS), with their targets in ms.
AFTER_WRITE = [
    ("dashboard", "dashboard (/)", 300),
    ("matrix_csv", "CSV-export landelijke matrix", 200),
    ("house_page", "huispagina", 100),
    ("api_package", "API takenpakket", 100),
]


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


@dataclass
class Result:
    endpoint: Endpoint
    scale: int
    available: bool
    note: str = ""
    status: int = 0
    size: int = 0
    queries: str = ""
    run: Run | None = None
    baseline: Run | None = None
    peak_rss_mb: float = 0.0
    extra: dict = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- PostgreSQL ------------------------------------------------------------------------------


class Postgres:
    def __init__(self, port: int):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            sys.exit("PostgreSQL ontbreekt: apt-get install -y postgresql")
        self.bin = Path(found[-1]).parent
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="bench-pg."))
        shutil.chown(self.root, "postgres", "postgres")

    def pg(self, *args: str) -> str:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            cwd="/",
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self) -> str:
        data = self.root / "data"
        self.pg(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        )
        self.pg(
            str(self.bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "30",
            "-o",
            f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        self.pg(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), DB_NAME)
        return f"postgres://postgres@127.0.0.1:{self.port}/{DB_NAME}"

    def version(self) -> str:
        return self.pg(str(self.bin / "postgres"), "--version").strip()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg(
                str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"
            )
        shutil.rmtree(self.root, ignore_errors=True)


# --- the server ------------------------------------------------------------------------------


def manage(env: dict, *args: str, debug: bool = False) -> str:
    env = {**env, "DEBUG": "true"} if debug else env
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


class Gunicorn:
    def __init__(self, env: dict, stderr=None, port: int | None = None):
        self.env = env
        self.stderr = stderr  # where the server's log goes (default: this process's stderr)
        self.port = port or PORT  # read when called: make load sets its own PORT
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "registry.wsgi",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stderr=self.stderr,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request("GET", "/inloggen/", port=self.port)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn kwam niet op")

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def peak_rss_mb(self) -> float:
        """The highest resident memory any worker reached (VmHWM), in MB."""
        peak = 0
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peak = max(peak, int(match.group(1)))
        return peak / 1024

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def request(
    method: str,
    path: str,
    headers: dict | None = None,
    body: str | None = None,
    port: int = PORT,
):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def cookies(headers) -> dict:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key.strip()] = rest.split(";", 1)[0]
    return jar


def login(password: str) -> str:
    return login_at(password, PORT)


def login_at(password: str, port: int) -> str:
    """Log in through the login page, as a browser would; returns the Cookie header."""
    status, headers, body = request("GET", "/inloggen/", port=port)
    jar = cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": USERNAME, "password": password, "csrfmiddlewaretoken": token}
    )
    status, headers, _ = request(
        "POST",
        "/inloggen/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
        },
        port=port,
    )
    session = cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"inloggen mislukt (status {status})")
    return f"sessionid={session}; csrftoken={jar['csrftoken']}"


# --- measuring -------------------------------------------------------------------------------


def wrk(path: str, headers: dict, duration: int) -> Run:
    command = [WRK, "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s", "-s", LUA]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    return Run(
        rps=figures["requests"] / seconds,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=figures["errors"],
        requests=figures["requests"],
    )


def measure(endpoint: Endpoint, scale: int, cookie: str, server: Gunicorn) -> Result:
    path = endpoint.url_path
    headers = {"Cookie": cookie}
    status, response_headers, body = request("GET", path, headers)
    if status == 404:
        return Result(endpoint, scale, False, "niet beschikbaar (404 in deze build)", status)
    found = {name.lower(): value for name, value in response_headers}
    if endpoint.conditional:
        if "etag" not in found:
            return Result(endpoint, scale, False, "niet beschikbaar (geen ETag)", status)
        headers["If-None-Match"] = found["etag"]
    counts = {found.get("x-query-count", "?")}
    for _ in range(4):  # both workers, first (cache miss) and repeated (cache hit) requests
        status, response_headers, body = request("GET", path, headers)
        found = {name.lower(): value for name, value in response_headers}
        counts.add(found.get("x-query-count", "?"))
        if status >= 400:
            return Result(endpoint, scale, False, f"fout: status {status}", status)
    result = Result(endpoint, scale, True, status=status, size=len(body))
    result.queries = " / ".join(sorted(counts, key=lambda c: -int(c) if c.isdigit() else 0))
    wrk(path, headers, WARMUP)
    result.run = wrk(path, headers, DURATION)
    baseline = f"/benchmark/baseline/{len(body)}/?type={endpoint.kind}"
    wrk(baseline, {"Cookie": cookie}, WARMUP)
    result.baseline = wrk(baseline, {"Cookie": cookie}, DURATION)
    result.peak_rss_mb = server.peak_rss_mb()
    return result


# --- the first read after a write -------------------------------------------------------------

WRITER = """
import os, sys
import django
django.setup()
from decimal import Decimal
from houses.models import Assignment
code = sys.argv[1]
for line in sys.stdin:
    assignment = Assignment.objects.filter(house__code=code).order_by("pk").first()
    hours = assignment.hours_per_week or Decimal(0)
    assignment.hours_per_week = Decimal(8) if hours != Decimal(8) else Decimal(12)
    assignment.save()
    print("ok", flush=True)
"""


class Writer:
    """A process that saves one assignment of the measured house per ``write()``."""

    def __init__(self, env: dict):
        self.process = subprocess.Popen(
            [PYTHON, "-c", WRITER, HOUSE],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "registry.settings"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def write(self) -> None:
        self.process.stdin.write("write\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ok":
            raise RuntimeError("schrijven mislukt")

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass
class AfterWrite:
    label: str
    scale: int
    setup: str
    target_ms: int
    times_ms: list[float]
    status: int
    size: int
    queries: str

    def percentile(self, share: float) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)


def first_reads(
    key: str, label: str, target: int, scale: int, setup: str, writer: Writer, servers: list
) -> list[AfterWrite]:
    """ROUNDS times: one write, then one timed request to each server in turn."""
    path = next(e for e in ENDPOINTS if e.key == key).url_path
    # One host name for every server, as behind a load balancer (API links are absolute, so
    # the host is part of what an API answer is cached under).
    host = f"127.0.0.1:{servers[0][0]}"
    for port, cookie in servers:  # fill every worker's cache (or the shared one) once
        for _ in range(4):
            request("GET", path, {"Cookie": cookie, "Host": host}, port=port)
    times = {port: [] for port, _cookie in servers}
    facts = {port: {"status": 0, "size": 0, "queries": set()} for port, _cookie in servers}
    for _ in range(ROUNDS):
        writer.write()
        for port, cookie in servers:
            started = time.perf_counter()
            status, headers, body = request(
                "GET", path, {"Cookie": cookie, "Host": host}, port=port
            )
            times[port].append((time.perf_counter() - started) * 1000)
            found = {name.lower(): value for name, value in headers}
            facts[port].update(status=status, size=len(body))
            facts[port]["queries"].add(found.get("x-query-count", "?"))
    results = []
    for number, (port, _cookie) in enumerate(servers, start=1):
        where = setup if len(servers) == 1 else f"{setup}, server {number}"
        results.append(
            AfterWrite(
                label,
                scale,
                where,
                target,
                times[port],
                facts[port]["status"],
                facts[port]["size"],
                " / ".join(sorted(facts[port]["queries"])),
            )
        )
    return results


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.process = subprocess.Popen(
            [
                REDIS,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                "512mb",
                "--maxmemory-policy",
                "allkeys-lru",
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def used_memory_mb(self) -> float:
        output = subprocess.run(
            ["redis-cli", "-p", str(self.port), "info", "memory"], capture_output=True, text=True
        ).stdout
        match = re.search(r"used_memory:(\d+)", output)
        return int(match.group(1)) / 1024 / 1024 if match else 0.0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


AFTER_HEADER = (
    "| read after a write | SCALE | servers | rounds | median ms | p90 ms | max ms | target ms "
    "| status | body (bytes) | queries |"
)


def after_row(result: AfterWrite) -> str:
    met = "✓" if result.median <= result.target_ms else "✗"
    return (
        f"| {result.label} | {result.scale} | {result.setup} | {len(result.times_ms)} "
        f"| {result.median:.0f} | {result.percentile(0.9):.0f} | {max(result.times_ms):.0f} "
        f"| ≤ {result.target_ms} {met} | {result.status} | {result.size} | {result.queries} |"
    )


# --- reporting -------------------------------------------------------------------------------

HEADER = (
    "| endpoint | SCALE | status | body (bytes) | req/s | p50 ms | p99 ms | errors "
    "| baseline req/s | baseline p50 ms | ratio (req/s) | time ratio (p50) | queries "
    "| peak worker RSS MB |"
)


def row(result: Result) -> str:
    label = result.endpoint.label
    if not result.available:
        return f"| {label} | {result.scale} | {result.note} |" + " |" * 11
    run, base = result.run, result.baseline
    return (
        f"| {label} | {result.scale} | {result.status} | {result.size} | {run.rps:.0f} "
        f"| {run.p50_ms:.1f} | {run.p99_ms:.1f} | {run.errors + base.errors} | {base.rps:.0f} "
        f"| {base.p50_ms:.1f} | {run.rps / base.rps:.2f} | {run.p50_ms / base.p50_ms:.2f} "
        f"| {result.queries} | {result.peak_rss_mb:.0f} |"
    )


def machine(pg_version: str) -> list[str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text()).group(1)
    versions = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django, gunicorn, psycopg; "
            "print(f'Django {django.get_version()}, gunicorn {gunicorn.__version__}, "
            "psycopg {psycopg.__version__}')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    wrk_version = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return [
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {int(mem) / 1024 / 1024:.1f} GiB memory, "
        f"{cpu}; {platform.platform()}",
        f"- Software: Python {platform.python_version()}, {versions}, {pg_version}, "
        f"{wrk_version.strip()}",
        f"- Load: wrk, 1 thread, {CONNECTIONS} connections, {DURATION} s per run after "
        f"{WARMUP} s warm-up; server and wrk share the machine's CPUs. Load average before "
        f"the run: {LOAD_BEFORE}.",
        f"- Reads after a write: {ROUNDS} rounds of one write to an assignment of {HOUSE} "
        "and one timed request per server; 'memory' is one server with a memory cache per "
        "worker, 'Redis' two servers (two workers each) sharing one Redis.",
        "- Server: gunicorn, 2 sync workers, DEBUG off, whitenoise, PostgreSQL (fsync off), "
        "session login through the login page (a national user).",
    ]


def write_report(
    results: list[Result], after: list[AfterWrite], notes: list[str], pg_version: str
) -> None:
    lines = [START, "", *machine(pg_version), *notes, ""]
    if results:
        lines += [HEADER, "|" + "---|" * 14]
        lines += [row(result) for result in results]
        missing = sorted({r.endpoint.label for r in results if not r.available})
        if missing:
            lines += [
                "",
                "Not available in this build (answered 404): " + "; ".join(missing) + ".",
            ]
        lines += [""]
    if after:
        lines += [AFTER_HEADER, "|" + "---|" * 11]
        lines += [after_row(result) for result in after]
    lines += ["", END]
    block = "\n".join(lines)
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n\n" + START + END + "\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text += "\n" + block + "\n"
    REPORT.write_text(text)


LOAD_BEFORE = " ".join(Path("/proc/loadavg").read_text().split()[:3])


def create_user(env: dict, password: str) -> None:
    manage(
        env,
        "shell",
        "-c",
        "from registry.models import User\n"
        f"u, _ = User.objects.get_or_create(username={USERNAME!r}, "
        "defaults={'kind': 'national', 'is_staff': True})\n"
        f"u.set_password({password!r}); u.save()",
    )


def main() -> int:
    postgres = Postgres(PG_PORT)
    results: list[Result] = []
    after: list[AfterWrite] = []
    notes: list[str] = []
    servers: list[Gunicorn] = []
    redis = None
    writer = None
    static_root = tempfile.mkdtemp(prefix="bench-static.")
    try:
        log(f"PostgreSQL op poort {PG_PORT}")
        database_url = postgres.start()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": static_root,
            "BENCHMARK_BASELINE": "1",
            "LOG_LEVEL": "WARNING",
            # One signed-in client asks thousands of times a minute: this measures the work of
            # a request, not the rate limit (which would answer most of them with 429). The
            # limit stays on, per second: the rate limiter keeps the time of every request in
            # its window, so a minute's window would hold some 20,000 (a limited client at the
            # default 3000/minute holds at most 3000), and reading and storing them would be
            # measured as the endpoint's work.
            "API_THROTTLE_USER": "100000000/second",
        }
        env.pop("CACHE_URL", None)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        password = secrets.token_urlsafe(24)
        for scale in SCALES:
            started = time.monotonic()
            out = manage(env, "generate_scale", "--scale", str(scale), "--seed", "1", debug=True)
            took = time.monotonic() - started
            log(f"SCALE={scale}: {' '.join(out.split())} (totaal {took:.1f} s)")
            notes.append(f"- SCALE={scale}: generate_scale took {took:.0f} s.")
            create_user(env, password)
            server = Gunicorn(env)
            servers = [server]
            server.start()
            cookie = login(password)
            if THROUGHPUT:
                for endpoint in ENDPOINTS:
                    result = measure(endpoint, scale, cookie, server)
                    results.append(result)
                    print(row(result), flush=True)
            writer = Writer(env)
            for key, label, target in AFTER_WRITE:
                for result in first_reads(
                    key, label, target, scale, "memory", writer, [(PORT, cookie)]
                ):
                    after.append(result)
                    print(after_row(result), flush=True)
            notes.append(
                f"- SCALE={scale}, memory cache: peak worker RSS {server.peak_rss_mb():.0f} MB."
            )
            server.stop()
            servers = []
            if WITH_REDIS and REDIS:
                redis = RedisServer(PORT + 2)
                shared = {**env, "CACHE_URL": redis.url}
                servers = [Gunicorn(shared, port=PORT), Gunicorn(shared, port=PORT + 1)]
                pairs = []
                for one in servers:
                    one.start()
                    pairs.append((one.port, login_at(password, one.port)))
                for key, label, target in AFTER_WRITE:
                    for result in first_reads(key, label, target, scale, "Redis", writer, pairs):
                        after.append(result)
                        print(after_row(result), flush=True)
                peaks = ", ".join(f"{one.peak_rss_mb():.0f}" for one in servers)
                notes.append(
                    f"- SCALE={scale}, two servers sharing Redis: peak worker RSS {peaks} MB; "
                    f"Redis used {redis.used_memory_mb():.0f} MB."
                )
                for one in servers:
                    one.stop()
                servers = []
                redis.stop()
                redis = None
            elif WITH_REDIS:
                notes.append("- redis-server not installed: no run with two servers.")
            writer.stop()
            writer = None
        print()
        print(HEADER)
        for result in results:
            print(row(result))
        print(AFTER_HEADER)
        for result in after:
            print(after_row(result))
        write_report(results, after, notes, postgres.version())
        log(f"geschreven: {REPORT.relative_to(ROOT)}")
    finally:
        if writer:
            writer.stop()
        for one in servers:
            one.stop()
        if redis:
            redis.stop()
        postgres.stop()
        shutil.rmtree(static_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
