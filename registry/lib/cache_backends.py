"""The per-process memory cache, bounded in bytes as well as in entries.

Django's ``LocMemCache`` bounds the number of entries only: a few large bodies could take
hundreds of megabytes in every server process. ``BoundedLocMemCache`` also keeps the total size
of the stored (pickled) values under ``OPTIONS["MAX_BYTES"]``, dropping the least recently used
entries first, and refuses a single value larger than ``OPTIONS["MAX_ITEM_BYTES"]``.

The shared Redis cache (``CACHE_URL=redis://…``) is Django's own ``RedisCache``; Redis bounds its
memory itself (``maxmemory`` with ``maxmemory-policy allkeys-lru``), and the registry never
offers it a value above ``REGISTRY_CACHE_MAX_ITEM_BYTES`` (``registry.lib.cache.fits``).
"""

from __future__ import annotations

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

#: Bytes stored per cache name (the entries themselves are shared per name, as in LocMemCache).
_sizes: dict[str, int] = {}


class BoundedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS") or {}
        self._name = name
        self._max_bytes = int(options.get("MAX_BYTES", 64 * 1024 * 1024))
        self._max_item_bytes = int(options.get("MAX_ITEM_BYTES", self._max_bytes // 4))
        _sizes.setdefault(name, 0)

    @property
    def stored_bytes(self) -> int:
        """The total size of the values stored now."""
        return _sizes[self._name]

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._delete(key)
        if len(value) > self._max_item_bytes:
            return
        super()._set(key, value, timeout)
        _sizes[self._name] += len(value)
        # The least recently used entries are at the end (LocMemCache moves a read or
        # written entry to the front).
        while _sizes[self._name] > self._max_bytes and len(self._cache) > 1:
            old_key, old_value = self._cache.popitem()
            self._expire_info.pop(old_key, None)
            _sizes[self._name] -= len(old_value)

    def incr(self, key, delta=1, version=None):
        value = super().incr(key, delta, version)
        with self._lock:
            _sizes[self._name] = sum(len(v) for v in self._cache.values())
        return value

    def _cull(self):
        super()._cull()
        _sizes[self._name] = sum(len(v) for v in self._cache.values())

    def _delete(self, key):
        stored = self._cache.get(key)
        deleted = super()._delete(key)
        if deleted and stored is not None:
            _sizes[self._name] -= len(stored)
        return deleted

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            _sizes[self._name] = 0
