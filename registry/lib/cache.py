"""A read cache that is never stale: keys carry a registry-wide change counter.

Every write to the registry (a save or delete of any editable model or user, a change of a
many-to-many relation, a bulk load that calls ``bump()``) increments one counter in the
database, inside the writing transaction, before the write locks any other row (one lock order
for every writer, so concurrent writers wait for each other instead of deadlocking).
``cached(key_parts, compute)`` stores ``compute()`` under a key that includes the counter's
current value, so the first read after a write misses the cache and recomputes; old entries
simply expire. ``etag(key_parts)`` derives an ETag from the same value, so a client's copy is
current exactly as long as nothing was written.

Rules for callers, so that the cache never shows one user what belongs to another:

- every input that depends on the user goes into ``key_parts`` (whether edit links show,
  the language, today's date where a result depends on it);
- a cached fragment is rendered without the request (no user, no CSRF token, no messages).

It imports no app: it recognises editable models by their base class and users by
``AUTH_USER_MODEL``; the counter row is ``registry.models.ChangeCounter``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import parse_etags
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from registry.lib.editable import EditableModel, write_starting
from registry.models import ChangeCounter

COUNTER_PK = 1
CACHE_ALIAS = "default"
_MISSING = object()


def current_revision(using: str = DEFAULT_DB_ALIAS) -> int:
    """The number of writes the registry has seen (one query)."""
    value = (
        ChangeCounter.objects.using(using)
        .filter(pk=COUNTER_PK)
        .values_list("value", flat=True)
        .first()
    )
    return value or 0


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Count a write. Runs inside the caller's transaction, so it commits with the write."""
    counter = ChangeCounter.objects.using(using).filter(pk=COUNTER_PK)
    if counter.update(value=F("value") + 1):
        return
    try:
        with transaction.atomic(using=using):
            ChangeCounter.objects.using(using).create(pk=COUNTER_PK, value=1)
    except IntegrityError:  # created by a concurrent writer in the meantime
        counter.update(value=F("value") + 1)


def cache_key(key_parts: Iterable[Any], revision: int) -> str:
    """A short cache key for ``key_parts`` at ``revision``; parts are told apart by type."""
    raw = "\x1f".join(f"{type(part).__name__}:{part}" for part in key_parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    return f"registry:{revision}:{digest}"


def cached(
    key_parts: Iterable[Any],
    compute: Callable[[], Any],
    *,
    revision: int | None = None,
    timeout: int | None = None,
) -> Any:
    """``compute()``, cached until the next write to the registry.

    ``key_parts`` must contain everything the result depends on besides the registry's data,
    including anything that depends on the user. Pass ``revision`` when the caller already
    read it in this request (saves a query).
    """
    if revision is None:
        revision = current_revision()
    cache = caches[CACHE_ALIAS]
    key = cache_key(key_parts, revision)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, settings.REGISTRY_CACHE_TIMEOUT if timeout is None else timeout)
    return value


def etag(key_parts: Iterable[Any], *, revision: int | None = None) -> str:
    """A strong ETag (quoted) for a representation of ``key_parts`` at the current revision."""
    if revision is None:
        revision = current_revision()
    # Keyed with the secret key, so that nobody can make up the ETag of an answer never given.
    digest = salted_hmac("registry.etag", cache_key(key_parts, revision)).hexdigest()[:32]
    return f'"{digest}-{revision}"'


def if_none_match(request, tag: str) -> bool:
    """Does the request's ``If-None-Match`` name ``tag``? (weak comparison, RFC 9110 13.1.2)"""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    bare = tag.removeprefix("W/")
    return any(candidate.removeprefix("W/") == bare for candidate in parse_etags(header))


def cached_fragment(
    key_parts: Iterable[Any],
    template_name: str,
    make_context: Callable[[], dict],
    *,
    revision: int | None = None,
) -> SafeString:
    """``template_name`` rendered with ``make_context()``, cached until the next write.

    Rendered without the request, so the fragment holds no user, CSRF token or message; the
    active language is part of the key. Everything else the caller's context depends on
    (edit rights, today's date, the query string) belongs in ``key_parts``.
    """
    html = cached(
        ["fragment", template_name, translation.get_language(), *key_parts],
        lambda: str(render_to_string(template_name, make_context())),
        revision=revision,
    )
    return mark_safe(html)  # noqa: S308 - rendered from our own template, autoescaped


def _counts(sender) -> bool:
    if sender is ChangeCounter:
        return False
    if isinstance(sender, type) and issubclass(sender, EditableModel):
        return True
    return sender._meta.label == settings.AUTH_USER_MODEL


# One lock order for every writer: inside a transaction the counter row is locked (bumped)
# before the first row the write locks, and stays locked until the commit; so two writers
# never hold each other's rows (no deadlock: a second writer waits for the first to commit).
# Outside a transaction each statement commits on its own; there the write is counted after
# the row is written, so that no reader sees the new count with the old data.


def _in_transaction(using) -> bool:
    return transaction.get_connection(using).in_atomic_block


def _on_write_starting(sender, instance=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if _in_transaction(using):
        bump(using)


def _on_pre_save(sender, instance, update_fields=None, raw=False, using=DEFAULT_DB_ALIAS, **kw):
    if getattr(instance, "_write_counted", False) or not _counts(sender):
        return
    # A login only stamps last_login; that changes nothing anybody reads.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if _in_transaction(using):
        bump(using)


def _on_save(sender, instance, update_fields=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if getattr(instance, "_write_counted", False) or not _counts(sender):
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if not _in_transaction(using):
        bump(using)


def _on_pre_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    if _counts(sender) and _in_transaction(using):
        bump(using)


def _on_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    if _counts(sender) and not _in_transaction(using):
        bump(using)


def _on_m2m(sender, instance, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if not _counts(type(instance)):
        return
    before = action in {"pre_add", "pre_remove", "pre_clear"}
    after = action in {"post_add", "post_remove", "post_clear"}
    if (before and _in_transaction(using)) or (after and not _in_transaction(using)):
        bump(using)


def connect() -> None:
    """Count every write (called once, from ``RegistryConfig.ready``)."""
    write_starting.connect(_on_write_starting, dispatch_uid="registry-change-counter-start")
    pre_save.connect(_on_pre_save, dispatch_uid="registry-change-counter-pre-save")
    post_save.connect(_on_save, dispatch_uid="registry-change-counter-save")
    pre_delete.connect(_on_pre_delete, dispatch_uid="registry-change-counter-pre-delete")
    post_delete.connect(_on_delete, dispatch_uid="registry-change-counter-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="registry-change-counter-m2m")
