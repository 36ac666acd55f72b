"""
How the site's benchmarks measure a page (benchmarks/site.py, admin_pages.py, referral.py,
indicators.py, followup.py): through Django's test client in this process, so server time with
no network. `measure()` requests the URL to warm caches and connections, once more with its
database queries counted (by a wrapper around the connection's cursors: `request_started` resets
Django's own query log, and a wrapper keeps no log it could overflow), then times `repeats`
requests: wall-clock time and the CPU time this thread spent (on a shared machine, what a page
costs apart from waiting for a core). `report()` prints the line of a page as every page bench
but the admin's prints it; `bench_urls()` measures and reports a list of URLs.
"""

import statistics
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

#: The fewest timed requests a time budget may cut a page's measurement to.
MIN_SAMPLES = 3


def percentile(values, fraction):
    """The value at `fraction` (0 to 1) of `values` in order, to the nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def client_as(role):
    """A test client, anonymous (`role` "anonymous") or signed in as the demo member ("member")."""
    from portal.demo import MEMBER_EMAIL

    client = Client()
    if role == "member":
        client.force_login(get_user_model().objects.get(email=MEMBER_EMAIL))
    return client


def body(response):
    """The response's body, a streaming one read to its end (its queries run meanwhile)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def timed(client, url):
    """(milliseconds, CPU milliseconds of this thread) of one request of `url`, body read."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    body(client.get(url))
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu_started) * 1000


@dataclass
class Measured:
    """What measure() found of one URL. `response` and `bytes` are the counted request's (its
    status, its body's size), `queries` the queries it ran; `timings` and `cpu_timings` are the
    timed requests' milliseconds; `cold` those of the request after measure()'s `cold` call."""

    response: object
    queries: int
    bytes: int
    timings: list = field(default_factory=list)
    cpu_timings: list = field(default_factory=list)
    cold: float | None = None

    @property
    def status(self):
        return self.response.status_code

    @property
    def samples(self):
        return len(self.timings)

    @property
    def p50(self):
        return statistics.median(self.timings)

    @property
    def p95(self):
        return percentile(self.timings, 0.95)

    @property
    def cpu(self):
        """The median CPU milliseconds of a timed request."""
        return statistics.median(self.cpu_timings)


def measure(client, url, repeats, warm=3, budget=None, cold=None):
    """Measure `url` as `client`: `warm` requests first, one with its queries counted, then
    `repeats` timed ones, or fewer (MIN_SAMPLES at least) once `budget` seconds have passed, so
    that one slow page cannot hold a whole bench for minutes. With `cold`, a callable, it is
    called last (e.g. what a content change does to the caches) and one more request timed."""
    for _ in range(warm):
        body(client.get(url))
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
        size = len(body(response))
    measured = Measured(response, len(queries), size)
    deadline = None if budget is None else time.perf_counter() + budget
    while measured.samples < repeats and (
        measured.samples < MIN_SAMPLES or deadline is None or time.perf_counter() < deadline
    ):
        elapsed, cpu = timed(client, url)
        measured.timings.append(elapsed)
        measured.cpu_timings.append(cpu)
    if cold is not None:
        cold()
        measured.cold = timed(client, url)[0]
    return measured


def report(command, name, measured, target_ms, expected_status=200, **extra):
    """The figure line of a page: `name P50 ms p50 (target p95<=Tms) p95=… [cold=…] queries=…
    status=… [extra…] ok=…`, ok when p95 meets the target and the status is the expected one."""
    cold = {} if measured.cold is None else {"cold": f"{measured.cold:.1f}ms"}
    met = measured.p95 <= target_ms and measured.status == expected_status
    command.figure(
        name,
        round(measured.p50, 1),
        "ms p50",
        target=f"p95<={target_ms}ms",
        p95=f"{measured.p95:.1f}ms",
        **cold,
        queries=measured.queries,
        status=measured.status,
        **extra,
        ok="yes" if met else "NO",
    )


def bench_urls(command, prefix, urls, quick, roles=("member",), missing=None, **extra):
    """One `<prefix>.<name>.<role>` line per (name, URL, target ms) of `urls` and role, as
    served (DEBUG off), with `extra` and the database's vendor; without URLs, the line of
    `missing` ((name, why)) says so."""
    repeats = 10 if quick else 40
    if not urls:
        if missing is not None:
            name, why = missing
            command.figure(f"{prefix}.{name}.{roles[0]}", "missing", note=why)
        return
    with override_settings(DEBUG=False):
        for role in roles:
            client = client_as(role)
            for name, url, target in urls:
                report(
                    command,
                    f"{prefix}.{name}.{role}",
                    measure(client, url, repeats),
                    target,
                    **extra,
                    backend=connection.vendor,
                )
