"""How the site's benchmarks measure a page (benchmarks/measure.py), on views of this module whose
queries, body and requests are known exactly: no middleware, this module as the URLconf."""

from io import StringIO

import pytest

from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from django.urls import path

from benchmarks.management.commands.bench import Command
from benchmarks.measure import MIN_SAMPLES, Measured, bench_urls, measure, percentile, report

served = []  # the path of every request the views answered


def queries_view(request):
    """`n` queries, then a body of `n` bytes."""
    served.append(request.path)
    count = int(request.GET["n"])
    with connection.cursor() as cursor:
        for _ in range(count):
            cursor.execute("SELECT 1")
    return HttpResponse(b"x" * count)


def streaming_view(request):
    """A query per chunk, run only as the body is read."""
    served.append(request.path)

    def chunks():
        for _ in range(int(request.GET["n"])):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            yield b"chunk"

    return StreamingHttpResponse(chunks())


urlpatterns = [path("queries/", queries_view), path("streaming/", streaming_view)]


@pytest.fixture
def page_client(db, settings):
    settings.ROOT_URLCONF = __name__
    settings.MIDDLEWARE = []
    served.clear()
    return Client()


@pytest.mark.parametrize("count", [0, 1, 7])
def test_the_counted_request_runs_exactly_the_views_queries(page_client, count):
    measured = measure(page_client, f"/queries/?n={count}", repeats=4)

    assert measured.queries == count
    assert measured.bytes == count
    assert measured.status == 200
    # Three to warm up, one counted, four timed.
    assert served == ["/queries/"] * 8
    assert measured.samples == len(measured.timings) == len(measured.cpu_timings) == 4
    assert all(ms > 0 for ms in measured.timings)
    assert measured.p95 >= measured.p50 > 0
    assert measured.cold is None


def test_a_streaming_body_is_read_with_its_queries_counted(page_client):
    measured = measure(page_client, "/streaming/?n=3", repeats=2, warm=1)

    assert measured.queries == 3
    assert measured.bytes == len(b"chunk") * 3
    assert served == ["/streaming/"] * 4


def test_a_spent_budget_cuts_the_samples_to_the_minimum(page_client):
    measured = measure(page_client, "/queries/?n=1", repeats=20, warm=0, budget=0)

    assert measured.samples == MIN_SAMPLES
    assert served == ["/queries/"] * (1 + MIN_SAMPLES)


def test_a_list_of_urls_is_measured_and_reported_a_line_each(page_client):
    out = StringIO()
    urls = [("two", "/queries/?n=2", 5000), ("none", "/queries/?n=0", 5000)]

    bench_urls(Command(stdout=out), "known", urls, True, roles=("anonymous",), rows=5)
    bench_urls(Command(stdout=out), "known", [], True, missing=("two", "no rows"))

    lines = out.getvalue().splitlines()
    assert [line.split(" p95=")[0].split(" ", 2)[::2] for line in lines[:2]] == [
        ["known.two.anonymous", "ms p50 (target p95<=5000ms)"],
        ["known.none.anonymous", "ms p50 (target p95<=5000ms)"],
    ]
    assert lines[0].endswith(f" queries=2 status=200 rows=5 backend={connection.vendor} ok=yes")
    assert lines[1].endswith(f" queries=0 status=200 rows=5 backend={connection.vendor} ok=yes")
    assert lines[2:] == ["known.two.member missing note=no rows"]
    assert served == ["/queries/"] * (3 + 1 + 10) * 2  # quick: ten timed requests each


def test_cold_is_timed_after_its_call(page_client):
    calls = []

    measured = measure(page_client, "/queries/?n=1", 2, warm=0, cold=lambda: calls.append(1))

    assert calls == [1]
    assert measured.cold > 0
    assert served == ["/queries/"] * 4


def test_percentile_takes_the_nearest_rank():
    assert percentile(list(range(1, 101)), 0.95) == 95
    assert percentile([3, 1, 2], 0.5) == 2
    assert percentile([5], 0.95) == 5


class Response:
    def __init__(self, status_code):
        self.status_code = status_code


def report_line(measured, target_ms, expected_status=200, **extra):
    out = StringIO()
    report(Command(stdout=out), "page.x.member", measured, target_ms, expected_status, **extra)
    return out.getvalue().strip()


def test_report_prints_a_pages_line_as_the_bench_output_contract_says():
    measured = Measured(Response(200), queries=4, bytes=10, timings=[1.0, 2.0, 3.0, 40.0])

    assert report_line(measured, 100, backend="sqlite") == (
        "page.x.member 2.5 ms p50 (target p95<=100ms) p95=40.0ms queries=4 status=200 "
        "backend=sqlite ok=yes"
    )
    assert report_line(measured, 30).endswith(" ok=NO")  # p95 over the target
    measured.cold = 12.34
    assert report_line(measured, 100, 302) == (
        "page.x.member 2.5 ms p50 (target p95<=100ms) p95=40.0ms cold=12.3ms queries=4 "
        "status=200 ok=NO"
    )
