"""A read cache that is never stale: keys carry a registry-wide change counter.

Every write to the registry (a save or delete of any editable model, user, group or
permission, a change of a many-to-many relation, a bulk load that calls ``bump()``) increments
one counter in the database, inside the writing transaction, before the write locks any other
row (one lock order for every writer, so concurrent writers wait for each other instead of
deadlocking).
``cached(key_parts, compute)`` stores ``compute()`` under a key that includes the counter's
current value, so the first read after a write misses the cache and recomputes; old entries
simply expire. ``etag(key_parts)`` derives an ETag from the same value, so a client's copy is
current exactly as long as nothing was written.

Rules for callers, so that the cache never shows one user what belongs to another:

- every input that depends on the user goes into ``key_parts`` (whether edit links show,
  the language, today's date where a result depends on it);
- a cached fragment is rendered without the request (no user, no CSRF token, no messages).

Recompute only what a write touched: besides the registry-wide counter, every write also counts
in the part of the registry it belongs to (``registry.models.ScopeCounter``): ``house:<code>``
for a house and its assignments, variations and case meetings, ``shared`` for everything else
(the standard, eenheden, users, bulk loads). A read about one house keys on
``scoped_revision(house_scope(code))`` (the shared and that house's counters), so a write to
another house does not make it recompute; national views are built from per-house pieces
(``cached_each``), of which only the changed house's piece is recomputed.

Every entry is bounded in bytes: a value larger than ``REGISTRY_CACHE_MAX_ITEM_BYTES`` is
computed but not stored (``registry.lib.cache_backends`` also bounds the memory cache's total).

It imports no app: it recognises editable models by their base class, houses and the records
of a house by ``HOUSE_MODEL`` and a foreign key named ``house`` to it, and users by
``AUTH_USER_MODEL``; the counter rows are ``registry.models.ChangeCounter`` and ``ScopeCounter``.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import parse_etags
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from registry.lib.editable import EditableModel, write_starting
from registry.models import ChangeCounter, ScopeCounter

COUNTER_PK = 1
CACHE_ALIAS = "default"
_MISSING = object()
#: The scope of every write not attributed to one house.
SHARED = "shared"
#: The model whose rows (and the rows with a foreign key ``house`` to it) are counted per house.
HOUSE_MODEL = "houses.House"


#: Scopes counted for every write of a model besides its house or shared scope: the national
#: lists of variations (overdue, to review) show variations and the names of their houses.
VARIATIONS = "variations"
EXTRA_SCOPES = {"houses.Variation": VARIATIONS, "houses.House": VARIATIONS}


def house_scope(code: str) -> str:
    """The scope counting the writes to the house with this code and to its records."""
    return f"house:{code}"


def current_revision(using: str = DEFAULT_DB_ALIAS) -> int:
    """The number of writes the registry has seen (one query)."""
    value = (
        ChangeCounter.objects.using(using)
        .filter(pk=COUNTER_PK)
        .values_list("value", flat=True)
        .first()
    )
    return value or 0


def revisions(*scopes: str, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The registry-wide counter (under ``""``), the shared counter and those of ``scopes``,
    in one query; a scope never written counts 0.

    Every cached read asks this first, so it is one plain statement: the ORM's building and
    compiling of the same union cost about as much as the round trip to the database."""
    wanted = sorted({SHARED, *scopes})
    found = dict.fromkeys(["", *wanted], 0)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_revisions_sql(using, len(wanted)), [COUNTER_PK, *wanted])
        found.update(cursor.fetchall())
    return found


@functools.cache
def _revisions_sql(using: str, scopes: int) -> str:
    qn = connections[using].ops.quote_name
    total, scoped = ChangeCounter._meta, ScopeCounter._meta
    names = {
        "total": qn(total.db_table),
        "total_pk": qn(total.pk.column),
        "total_value": qn(total.get_field("value").column),
        "scoped": qn(scoped.db_table),
        "scope": qn(scoped.get_field("scope").column),
        "scoped_value": qn(scoped.get_field("value").column),
        "wanted": ", ".join(["%s"] * scopes),
    }
    # Built from the models' own table and column names; the values are parameters.
    sql = (
        "SELECT '', {total_value} FROM {total} WHERE {total_pk} = %s "
        "UNION ALL SELECT {scope}, {scoped_value} FROM {scoped} WHERE {scope} IN ({wanted})"
    )
    return sql.format(**names)  # noqa: S608


def scoped_revision(scope: str, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """A revision for what depends on ``scope`` and on the shared part only (one query)."""
    found = revisions(scope, using=using)
    return scope_label(found[SHARED], found[scope])


def scope_label(shared: int | None, scoped: int | None) -> str:
    return f"s{shared or 0}.h{scoped or 0}"


def bump(using: str = DEFAULT_DB_ALIAS, scopes: Iterable[str] = (SHARED,)) -> None:
    """Count a write, in the registry-wide counter and in ``scopes`` (by default the shared
    part, which invalidates everything). Runs inside the caller's transaction, so it commits
    with the write; the registry-wide row is always locked first (one lock order)."""
    _bump_row(ChangeCounter, {"pk": COUNTER_PK}, using)
    for scope in sorted(set(scopes)):
        _bump_row(ScopeCounter, {"scope": scope}, using)


def _bump_row(model, lookup: dict, using: str) -> None:
    counter = model.objects.using(using).filter(**lookup)
    if counter.update(value=F("value") + 1):
        return
    # A new counter starts at a random value: a fresh or restored database then never meets
    # the copies another database left in a shared cache (Redis outlives a database reset).
    start = secrets.randbelow(2**40) + 1
    try:
        with transaction.atomic(using=using):
            model.objects.using(using).create(**lookup, value=start)
    except IntegrityError:  # created by a concurrent writer in the meantime
        counter.update(value=F("value") + 1)


def cache_key(key_parts: Iterable[Any], revision: int | str) -> str:
    """A short cache key for ``key_parts`` at ``revision``; parts are told apart by type."""
    raw = "\x1f".join(f"{type(part).__name__}:{part}" for part in key_parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    return f"registry:{revision}:{digest}"


def cached(
    key_parts: Iterable[Any],
    compute: Callable[[], Any],
    *,
    revision: int | str | None = None,
    timeout: int | None = None,
) -> Any:
    """``compute()``, cached until the next write to the registry.

    ``key_parts`` must contain everything the result depends on besides the registry's data,
    including anything that depends on the user. Pass ``revision`` when the caller already
    read it in this request (saves a query), or a ``scoped_revision`` when the result
    depends on one house only.
    """
    if revision is None:
        revision = current_revision()
    cache = caches[CACHE_ALIAS]
    key = cache_key(key_parts, revision)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        if fits(value):
            cache.set(key, value, settings.REGISTRY_CACHE_TIMEOUT if timeout is None else timeout)
    return value


def cached_each(
    items: list,
    key_parts: Callable[[Any], list],
    revision: Callable[[Any], int | str],
    compute_missing: Callable[[list], list],
) -> list:
    """For each of ``items`` its cached value, in one round trip to the cache; the items not
    in the cache are computed together by ``compute_missing(missing_items)`` (a list of values
    in the same order) and stored. Each item has its own key and revision, so a write to one
    house makes only that house's value be computed again."""
    cache = caches[CACHE_ALIAS]
    keys = [cache_key(key_parts(item), revision(item)) for item in items]
    found = cache.get_many(keys) if keys else {}
    missing = [(item, key) for item, key in zip(items, keys, strict=True) if key not in found]
    if missing:
        values = compute_missing([item for item, _key in missing])
        new = {
            key: value for (_item, key), value in zip(missing, values, strict=True) if fits(value)
        }
        if new:
            cache.set_many(new, settings.REGISTRY_CACHE_TIMEOUT)
        found.update(zip((key for _item, key in missing), values, strict=True))
    return [found[key] for key in keys]


def size_of(value: Any) -> int:
    """About how many bytes ``value`` takes in the cache (exact for text and bytes)."""
    if isinstance(value, bytes | str):
        return len(value)
    if isinstance(value, tuple | list) and len(value) <= 4:
        return sum(size_of(part) for part in value)
    return len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def fits(value: Any) -> bool:
    """May ``value`` be stored (``REGISTRY_CACHE_MAX_ITEM_BYTES``)? A larger one is computed
    for every read instead, so that no one answer can fill the cache."""
    return size_of(value) <= settings.REGISTRY_CACHE_MAX_ITEM_BYTES


def etag(key_parts: Iterable[Any], *, revision: int | str | None = None) -> str:
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
    revision: int | str | None = None,
) -> SafeString:
    """``template_name`` rendered with ``make_context()``, cached until the next write.

    Rendered without the request, so the fragment holds no user, CSRF token or message; the
    active language is part of the key. Everything else the caller's context depends on
    (edit rights, today's date, the query string) belongs in ``key_parts``.
    """
    html = _cached_render("fragment", key_parts, template_name, make_context, revision, str)
    return mark_safe(html)  # noqa: S308 - rendered from our own template, autoescaped


def cached_fragment_bytes(
    key_parts: Iterable[Any],
    template_name: str,
    make_context: Callable[[], dict],
    *,
    revision: int | str | None = None,
) -> bytes:
    """``cached_fragment`` as UTF-8 bytes, for ``FragmentPageMixin``."""
    return _cached_render(
        "fragment-bytes", key_parts, template_name, make_context, revision, str.encode
    )


def _cached_render(kind, key_parts, template_name, make_context, revision, stored_as):
    return cached(
        [kind, template_name, translation.get_language(), *key_parts],
        lambda: stored_as(render_to_string(template_name, make_context())),
        revision=revision,
    )


class FragmentPageMixin:
    """A template view whose page body is one large cached fragment (``cached_fragment_bytes``),
    put into the rendered page as bytes: a cached read then neither decodes the stored body
    nor encodes it again (for the dashboard, some 800 kB each way). The view puts
    ``self.fragment_slot(body)`` into its context where the body belongs."""

    _fragment: bytes | None = None

    def fragment_slot(self, body: bytes) -> SafeString:
        self._fragment = body
        return mark_safe(_FRAGMENT_SLOT)  # noqa: S308 - a fixed marker, replaced below

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self._fragment is None:
            return response
        response.render()
        head, tail = response.content.split(_FRAGMENT_SLOT.encode(), 1)
        response.content = b"".join((head, self._fragment, tail))
        return response


#: Marks where a fragment goes; the rest of the page escapes anything a user typed, so only the
#: template's own slot can match.
_FRAGMENT_SLOT = f"<!-- fragment {secrets.token_hex(16)} -->"


#: Besides the editable models and users: what decides a user's model permissions, so that an
#: edit right cached with a house's revision is never older than the user's permissions.
COUNTED_AUTH_MODELS = {"auth.Group", "auth.Permission"}


def _counts(sender) -> bool:
    if sender is ChangeCounter or sender is ScopeCounter:
        return False
    if isinstance(sender, type) and issubclass(sender, EditableModel):
        return True
    label = sender._meta.label
    return label == settings.AUTH_USER_MODEL or label in COUNTED_AUTH_MODELS


def _house_code(house_id, using) -> str | None:
    if house_id is None:
        return None
    house_model = apps.get_model(HOUSE_MODEL)
    return (
        house_model._base_manager.using(using)
        .filter(pk=house_id)
        .values_list("code", flat=True)
        .first()
    )


def _house_field(sender):
    try:
        field = sender._meta.get_field("house")
    except Exception:  # noqa: BLE001 - no field of that name
        return None
    if getattr(field, "many_to_one", False) and field.related_model._meta.label == HOUSE_MODEL:
        return field
    return None


def write_scopes(sender, instance, using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The scopes a write of ``instance`` touches: its house (before and after the write, when
    the record moves to another house or the house gets another code), else the shared part;
    plus the model's ``EXTRA_SCOPES``."""
    scopes = _own_scopes(sender, instance, using)
    extra = EXTRA_SCOPES.get(sender._meta.label)
    return scopes | {extra} if extra else scopes


def _own_scopes(sender, instance, using) -> set[str]:
    if instance is None:  # a write not of one record (a bulk change): it may touch anything
        return {SHARED}
    if sender._meta.label == HOUSE_MODEL:
        codes = {instance.code}
        if instance.pk is not None:
            codes.add(
                sender._base_manager.using(using)
                .filter(pk=instance.pk)
                .values_list("code", flat=True)
                .first()
            )
    elif (field := _house_field(sender)) is not None:
        house_id = getattr(instance, field.attname)
        if house_id is not None and field.is_cached(instance):
            codes = {instance.house.code}
        else:
            codes = {_house_code(house_id, using)}
        if instance.pk is not None:
            codes.add(
                sender._base_manager.using(using)
                .filter(pk=instance.pk)
                .values_list("house__code", flat=True)
                .first()
            )
    else:
        return {SHARED}
    codes.discard(None)
    codes.discard("")
    return {house_scope(code) for code in codes} or {SHARED}


# One lock order for every writer: inside a transaction the counter row is locked (bumped)
# before the first row the write locks, and stays locked until the commit; so two writers
# never hold each other's rows (no deadlock: a second writer waits for the first to commit).
# The scope rows are locked right after it. Outside a transaction each statement commits on
# its own; there the write is counted after the row is written, so that no reader sees the new
# count with the old data (its scopes are found before the write, and counted after it).


def _in_transaction(using) -> bool:
    return transaction.get_connection(using).in_atomic_block


def _count(sender, instance, using):
    bump(using, write_scopes(sender, instance, using))


def _on_write_starting(sender, instance=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if _in_transaction(using):
        _count(sender, instance, using)


def _login_only(update_fields) -> bool:
    # A login only stamps last_login; that changes nothing anybody reads.
    return update_fields is not None and set(update_fields) <= {"last_login"}


def _on_pre_save(sender, instance, update_fields=None, raw=False, using=DEFAULT_DB_ALIAS, **kw):
    if getattr(instance, "_write_counted", False) or not _counts(sender):
        return
    if _login_only(update_fields):
        return
    if _in_transaction(using):
        _count(sender, instance, using)
    else:
        instance._write_scopes = write_scopes(sender, instance, using)


def _on_save(sender, instance, update_fields=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if getattr(instance, "_write_counted", False) or not _counts(sender):
        return
    if _login_only(update_fields):
        return
    if not _in_transaction(using):
        scopes = getattr(instance, "_write_scopes", None) or write_scopes(sender, instance, using)
        instance._write_scopes = None
        bump(using, scopes | write_scopes(sender, instance, using))


def _on_pre_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    if not _counts(sender):
        return
    if _in_transaction(using):
        _count(sender, instance, using)
    else:
        instance._write_scopes = write_scopes(sender, instance, using)


def _on_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    if _counts(sender) and not _in_transaction(using):
        bump(using, getattr(instance, "_write_scopes", None) or {SHARED})


def _on_m2m(sender, instance, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if not _counts(type(instance)):
        return
    before = action in {"pre_add", "pre_remove", "pre_clear"}
    after = action in {"post_add", "post_remove", "post_clear"}
    if (before and _in_transaction(using)) or (after and not _in_transaction(using)):
        # A relation of a house changes that house; any other relation (a user's houses or
        # groups, a group's permissions) counts as a shared write.
        if type(instance)._meta.label == HOUSE_MODEL:
            bump(using, write_scopes(type(instance), instance, using))
        else:
            bump(using)


def connect() -> None:
    """Count every write (called once, from ``RegistryConfig.ready``)."""
    write_starting.connect(_on_write_starting, dispatch_uid="registry-change-counter-start")
    pre_save.connect(_on_pre_save, dispatch_uid="registry-change-counter-pre-save")
    post_save.connect(_on_save, dispatch_uid="registry-change-counter-save")
    pre_delete.connect(_on_pre_delete, dispatch_uid="registry-change-counter-pre-delete")
    post_delete.connect(_on_delete, dispatch_uid="registry-change-counter-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="registry-change-counter-m2m")
