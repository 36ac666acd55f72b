"""
The shared cache: Redis, and a portal that keeps serving when Redis does not answer.

`TolerantRedisCache` is Django's RedisCache whose operations, when Redis is unavailable (refused,
reset, silent past a short socket timeout, or refusing writes: out of memory under `noeviction`,
a read-only replica), behave as an empty cache that keeps nothing: a read
is a miss, a write, delete or touch does nothing, `add` succeeds (as it would on an empty cache),
`incr` finds no key. Pages are then built from the database, uncached. The first failure opens
an outage (one log line) and from then on no request waits on Redis: a thread of the process
probes it every `RETRY_SECONDS`, and when it answers again it first deletes every entry under the
portal's key prefix (entries written before the outage may have missed an invalidation or a
delete made during it: a page cached before a resource went members-only, a search vocabulary),
then puts the cache back in service (a second line). Only the portal's keys are deleted, never
the database: the Celery broker may share it.

Keys under `LOCAL_FALLBACK_PREFIXES` (the sign-in rate limits and the second factor's used codes)
are kept in the process's own memory during an outage instead of being dropped: those limits
then hold per web process rather than not at all.

Options (the rest of OPTIONS goes to redis-py): `RETRY_SECONDS` (default 1),
`LOCAL_FALLBACK_PREFIXES` (default none).
"""

import logging
import os
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError, ReadOnlyError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Redis not answering (BusyLoadingError, while it reloads its data, and a refused password are
# ConnectionErrors too) or not taking writes. Any other error (a bad command, a refused
# permission) is a fault of ours and still raises.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OutOfMemoryError, ReadOnlyError)
# Short enough that a Redis that stopped answering costs one request half a second, once.
DEFAULT_SOCKET_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
SCAN_BATCH = 1000

_outages = {}
_outages_lock = threading.Lock()


def one_line(error):
    return " ".join(f"{type(error).__name__}: {error}".split())[:300]


class Outage:
    """Whether one Redis cache is down, for the whole process (Django builds a cache object per
    thread), and the probe that ends the outage."""

    def __init__(self, name, retry_seconds):
        self.name = name
        self.retry_seconds = max(0.05, float(retry_seconds))
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.since = None

    @property
    def down(self):
        if self.pid != os.getpid():
            # A forked child (gunicorn --preload) has no probe thread: it starts afresh.
            self.pid, self.since = os.getpid(), None
        return self.since is not None

    def seconds(self):
        since = self.since
        return 0.0 if since is None else time.monotonic() - since

    def begin(self, error, recover):
        with self.lock:
            if self.down:
                return
            self.since = time.monotonic()
        logger.warning(
            "cache: Redis at %s unavailable (%s); serving without the cache until it answers",
            self.name,
            one_line(error),
        )
        threading.Thread(
            target=self._probe, args=(recover,), name="cache-outage-probe", daemon=True
        ).start()

    def _probe(self, recover):
        last_error = None
        while True:
            time.sleep(self.retry_seconds)
            try:
                dropped = recover()
            except UNAVAILABLE:
                continue
            except RedisError as error:
                # Redis answers but refuses the clean-up: staying out of service is safer than
                # serving what may be stale; say so once per distinct error.
                if one_line(error) != last_error:
                    last_error = one_line(error)
                    logger.error("cache: Redis at %s refuses: %s", self.name, last_error)
                continue
            seconds = self.seconds()
            with self.lock:
                self.since = None
            logger.warning(
                "cache: Redis at %s answers again after %.1f s; dropped %d entries that may "
                "have missed a change during the outage",
                self.name,
                seconds,
                dropped,
            )
            return


def _outage_for(name, retry_seconds):
    with _outages_lock:
        outage = _outages.get(name)
        if outage is None:
            outage = _outages[name] = Outage(name, retry_seconds)
        return outage


def _glob_escape(text):
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


class TolerantRedisCache(RedisCache):
    """See the module docstring."""

    def __init__(self, server, params):
        params = dict(params)
        options = {**DEFAULT_SOCKET_OPTIONS, **params.get("OPTIONS", {})}
        retry_seconds = options.pop("RETRY_SECONDS", 1)
        self.local_fallback_prefixes = tuple(options.pop("LOCAL_FALLBACK_PREFIXES", ()))
        params["OPTIONS"] = options
        super().__init__(server, params)
        name = f"{','.join(self._servers)} (prefix {self.key_prefix!r})"
        self.outage = _outage_for(name, retry_seconds)
        # Shared by every cache object of the process with this name (LocMemCache's storage is).
        self.local = LocMemCache(f"portal.cache.fallback {name}", {"TIMEOUT": self.default_timeout})

    # -- the outage

    @property
    def is_down(self):
        return self.outage.down

    def status(self):
        """(ok, detail) for /healthz: the outage's state, or one PING when in service."""
        if self.outage.down:
            return False, "unavailable; pages are served uncached until it answers"
        try:
            self._cache.get_client(None).ping()
        except UNAVAILABLE as error:
            self.outage.begin(error, self._recover)
            return False, one_line(error)
        return True, "redis"

    def _recover(self):
        """Delete every entry of ours, then check that Redis takes a write again (a full one
        answers but refuses); the number deleted. Raises while Redis is unavailable."""
        client = self._cache.get_client(None, write=True)
        client.ping()
        dropped = self._delete_ours(client)
        client.set(f"{self.key_prefix}:cache-probe", b"1", ex=10)
        return dropped

    def _delete_ours(self, client):
        dropped, batch = 0, []
        for key in client.scan_iter(match=f"{_glob_escape(self.key_prefix)}:*", count=SCAN_BATCH):
            batch.append(key)
            if len(batch) >= SCAN_BATCH:
                dropped += client.unlink(*batch)
                batch = []
        if batch:
            dropped += client.unlink(*batch)
        return dropped

    def _falls_back(self, key):
        return bool(self.local_fallback_prefixes) and str(key).startswith(
            self.local_fallback_prefixes
        )

    def _call(self, key, redis_call, local_call, absent):
        """`redis_call()` unless Redis is down; then `local_call()` for a key kept in the
        process's memory, `absent()` for any other."""
        if not self.outage.down:
            try:
                return redis_call()
            except UNAVAILABLE as error:
                self.outage.begin(error, self._recover)
        return local_call() if self._falls_back(key) else absent()

    def _split(self, keys):
        local = [key for key in keys if self._falls_back(key)]
        return local, [key for key in keys if not self._falls_back(key)]

    # -- Django's cache API

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            key,
            lambda: super(TolerantRedisCache, self).add(key, value, timeout, version),
            lambda: self.local.add(key, value, timeout, version),
            lambda: True,
        )

    def get(self, key, default=None, version=None):
        return self._call(
            key,
            lambda: super(TolerantRedisCache, self).get(key, default, version),
            lambda: self.local.get(key, default, version),
            lambda: default,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            key,
            lambda: super(TolerantRedisCache, self).set(key, value, timeout, version),
            lambda: self.local.set(key, value, timeout, version),
            lambda: None,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            key,
            lambda: super(TolerantRedisCache, self).touch(key, timeout, version),
            lambda: self.local.touch(key, timeout, version),
            lambda: False,
        )

    def delete(self, key, version=None):
        return self._call(
            key,
            lambda: super(TolerantRedisCache, self).delete(key, version),
            lambda: self.local.delete(key, version),
            lambda: False,
        )

    def has_key(self, key, version=None):
        return self._call(
            key,
            lambda: super(TolerantRedisCache, self).has_key(key, version),
            lambda: self.local.has_key(key, version),
            lambda: False,
        )

    def incr(self, key, delta=1, version=None):
        def absent():
            raise ValueError(f"Key '{key}' not found.")

        return self._call(
            key,
            lambda: super(TolerantRedisCache, self).incr(key, delta, version),
            lambda: self.local.incr(key, delta, version),
            absent,
        )

    def get_many(self, keys, version=None):
        keys = list(keys)
        if not self.outage.down:
            try:
                return super().get_many(keys, version)
            except UNAVAILABLE as error:
                self.outage.begin(error, self._recover)
        local, _ = self._split(keys)
        return self.local.get_many(local, version) if local else {}

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not self.outage.down:
            try:
                return super().set_many(data, timeout, version)
            except UNAVAILABLE as error:
                self.outage.begin(error, self._recover)
        local, _ = self._split(list(data))
        if local:
            self.local.set_many({key: data[key] for key in local}, timeout, version)
        return []

    def delete_many(self, keys, version=None):
        keys = list(keys)
        if not self.outage.down:
            try:
                return super().delete_many(keys, version)
            except UNAVAILABLE as error:
                self.outage.begin(error, self._recover)
        local, _ = self._split(keys)
        if local:
            self.local.delete_many(local, version)
        return None

    def clear(self):
        """Delete the portal's entries only: FLUSHDB would take the broker's queues with them
        when both share a database."""
        if not self.outage.down:
            try:
                self._delete_ours(self._cache.get_client(None, write=True))
            except UNAVAILABLE as error:
                self.outage.begin(error, self._recover)
        self.local.clear()
        return True
