"""Run a test against each cache backend: the per-process memory cache and a real Redis.

``any_cache`` is parametrised ``memory`` / ``redis``. The Redis run starts a redis-server of its
own on a free loopback port (once per test process, no persistence) when ``REDIS_TESTS=1`` or
``CI=true`` asks for it; then a missing ``redis-server`` fails the run instead of skipping it.
Without either variable the Redis run is skipped with its reason. ``REDIS_TESTS_URL`` points the
tests at a Redis that is already running instead (``redis://host:port``, no database: each
test process flushes a database of its own, 1 to 15).

Import the fixtures into a test module: ``from tests.redis_server import any_cache, redis_url``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest


def _wanted() -> bool:
    return os.environ.get("REDIS_TESTS", "").lower() in {"1", "true", "yes"} or (
        os.environ.get("CI", "").lower() == "true"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_TESTS_URL")
    if url:
        # One database per test process (pytest-xdist worker), so that one process's flush
        # never empties another's cache.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
        number = 1 + int(worker) % 15 if worker.isdigit() else 1
        yield f"{url.rstrip('/')}/{number}"
        return
    if not _wanted():
        pytest.skip("Redis-tests staan uit: zet REDIS_TESTS=1 (CI doet dat zelf)")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("REDIS_TESTS/CI vraagt om Redis-tests, maar redis-server ontbreekt")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own fixed arguments
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory",
            "64mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("redis-server kwam niet op")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["memory", "redis"])
def any_cache(request, settings):
    """The test runs once with the memory cache and once with Redis as the default cache."""
    from django.core.cache import caches

    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "registry-tests",
            }
        }
    caches["default"].clear()
    yield request.param
    caches["default"].clear()
