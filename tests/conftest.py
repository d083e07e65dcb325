"""Shared fixtures: one persona per kind of user, two eenheden, and a small standard."""

import pytest
from django.test import Client, override_settings

from registry.models import User
from roles.models import Task
from tests.factories import (
    HouseFactory,
    PoliceUnitFactory,
    PublishedStandardFactory,
    RoleFactory,
    TaskFactory,
    UserFactory,
)

PASSWORD = "geheim-wachtwoord-123"
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: Tests that share an expensive module- or package-scoped set-up, kept on one pytest-xdist
#: worker so it is made once: the browser tests (demo data, live server, Chromium) and the
#: backup round trips (one demo registry and its backups).
SHARED_SET_UP = ("tests/browser/", "tests/registry/test_backup.py::test_a_backup_restores_")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist's default distribution (``-n``, as ``make test`` runs), every test is
    its own work unit except those of ``SHARED_SET_UP``: each of those groups is one unit, sent
    to one worker before the single tests (the largest units go first)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetUpScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return next((group for group in SHARED_SET_UP if nodeid.startswith(group)), nodeid)

    return SharedSetUpScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Every account the tests create (factories, demo data, logins) hashes its password with
    a fast hasher: the production hasher costs a large part of a second per hash and tests
    nothing here. tests/registry/test_security.py proves what production stores."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


# --- the change feed on PostgreSQL under pytest-xdist -------------------------------------------

#: The feed serves an event once every transaction older than the event's has ended, and
#: PostgreSQL numbers transactions per server, not per database: a test of another xdist worker
#: (its own test database on the same server) with a write transaction open holds back this
#: test's events, as it should in production. So tests marked ``reads_feed`` run alone: every
#: test, from its set-up to its last teardown (a database flush included), holds a shared
#: advisory lock in the server's ``postgres`` database (common to all workers), a feed test an
#: exclusive one, and it starts once no other session holds a transaction id.
FEED_LOCK = 7_202_611
_lock_session = []


def _server_lock_session():
    import os

    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    if not _lock_session:
        import psycopg

        db = connection.settings_dict
        _lock_session.append(
            psycopg.connect(
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                user=db["USER"] or None,
                password=db["PASSWORD"] or None,
                dbname="postgres",
                autocommit=True,
                application_name="pytest-feed-lock",
            )
        )
    return _lock_session[0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    import time

    session = _server_lock_session()
    if session is None:
        yield
        return
    alone = item.get_closest_marker("reads_feed") is not None
    lock, unlock = (
        ("pg_advisory_lock", "pg_advisory_unlock")
        if alone
        else ("pg_advisory_lock_shared", "pg_advisory_unlock_shared")
    )
    session.execute(f"SELECT {lock}(%s)", [FEED_LOCK])
    try:
        deadline = time.monotonic() + 60
        while alone and time.monotonic() < deadline:
            others = session.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if not others:
                break
            time.sleep(0.05)
        yield
    finally:
        session.execute(f"SELECT {unlock}(%s)", [FEED_LOCK])


def pytest_sessionfinish(session, exitstatus):
    while _lock_session:
        _lock_session.pop().close()


@pytest.fixture(autouse=True)
def _dutch_after_each_test():
    """A request in English (the language cookie) leaves English active in the thread after
    it, as a server thread would until its next request; the next test starts in Dutch."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_read_cache():
    """Each test starts with an empty read cache: the database (and with it the change
    counter) is rolled back between tests, the process-wide cache is not."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit_a(db):
    return PoliceUnitFactory(code="eenheid-a", name="Eenheid A")


@pytest.fixture
def unit_b(db):
    return PoliceUnitFactory(code="eenheid-b", name="Eenheid B")


@pytest.fixture
def house_a(unit_a):
    return HouseFactory(code="huis-a", name="Veiligheidshuis A", police_unit=unit_a)


@pytest.fixture
def house_b(unit_b):
    return HouseFactory(code="huis-b", name="Veiligheidshuis B", police_unit=unit_b)


@pytest.fixture
def standard(db):
    """A published standard with a liaison (2 core, 1 optional task) and a participant role
    (1 core, 1 excluded task)."""
    version = PublishedStandardFactory(version="1.0")
    liaison = RoleFactory(standard_version=version, code="liaison", name="Liaison", position=1)
    participant = RoleFactory(
        standard_version=version, code="deelnemer", name="Deelnemer casusoverleg", position=2
    )
    TaskFactory(role=liaison, code="aanspreekpunt", title="Aanspreekpunt", position=1)
    TaskFactory(role=liaison, code="schakel", title="Schakel", position=2)
    TaskFactory(role=liaison, code="extra", title="Optioneel", kind=Task.Kind.OPTIONAL, position=3)
    TaskFactory(role=participant, code="deelname", title="Deelname", position=1)
    TaskFactory(
        role=participant,
        code="verslag",
        title="Verslaglegging",
        kind=Task.Kind.EXCLUDED,
        position=2,
    )
    return version


@pytest.fixture
def national_user(db):
    return UserFactory(username="landelijk", kind=User.Kind.NATIONAL)


@pytest.fixture
def unit_a_user(unit_a):
    return UserFactory(username="eenheid-a", kind=User.Kind.UNIT, police_unit=unit_a)


@pytest.fixture
def unit_b_user(unit_b):
    return UserFactory(username="eenheid-b", kind=User.Kind.UNIT, police_unit=unit_b)


@pytest.fixture
def ketenmanager(db):
    return UserFactory(username="ketenmanager", kind=User.Kind.KETENMANAGER)


@pytest.fixture
def reader(db):
    return UserFactory(username="lezer", kind=User.Kind.READER)


@pytest.fixture
def superuser(db):
    return UserFactory(username="super", is_superuser=True)


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


PERSONAS = ["national_user", "unit_a_user", "unit_b_user", "ketenmanager", "reader"]


@pytest.fixture(params=PERSONAS)
def persona(request):
    return request.getfixturevalue(request.param)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def national_client(national_user):
    return client_for(national_user)


@pytest.fixture
def reader_client(reader):
    return client_for(reader)
