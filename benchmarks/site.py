"""
Site benchmarks (`manage.py bench --only portal`), in a throwaway database seeded with
`seed_demo --scale BENCH_SCALE` (default 250; the `portal.seed` line gives what it holds):

- render time p50/p95 and query count of every main page, anonymous and as the demo member;
- HTTP throughput under gunicorn (2 workers, loopback) of a cached public page and of a constant
  view (`/ping`), measured in the same run, and their ratio;
- peak memory (VmHWM) of a gunicorn worker;
- HTTP throughput of cached public pages (the home page, each section's index and three of its
  pages, two searches) with one write every 5 s (a resource import, then an audience change,
  in turn) against the same reads without writes: what scoped invalidation keeps of the
  read-only figure (target 0.85);
- full search rebuild throughput (`search_index rebuild`, records per second);
- text extraction throughput (PDF pages per second) through the real extraction task with the
  worker on one core: a real Celery worker process pinned with `taskset -c 0` when a broker is
  configured (REDIS_URL), else the task run in this process pinned to one core; and the peak
  memory (VmHWM) of that Celery worker.
"""

import contextlib
import json
import logging
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from http.client import HTTPConnection
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from benchmarks import throwaway
from benchmarks.admin_pages import bench_admin
from benchmarks.followup import bench_followup
from benchmarks.indicators import bench_indicators
from benchmarks.measure import client_as, measure, percentile, report
from benchmarks.referral import bench_referral
from portal.page_cache import invalidate

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-" + secrets.token_hex(8)
PAGE_TARGET_MS = 100
REBUILD_TARGET = 500  # records/s, PostgreSQL
EXTRACTION_TARGET = 20  # PDF pages/s per worker


def run(command, quick=False):
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s are reported as figures
    # The figures are the output: not a line per page the seed publishes, per task run eagerly,
    # nor kombu's note on the in-memory broker of the embedded default.
    for name, level in [("wagtail", logging.WARNING), ("celery", logging.WARNING),
                        ("kombu", logging.ERROR)]:  # fmt: skip
        logging.getLogger(name).setLevel(level)
    # Static files are not collected in a throwaway run; WhiteNoise says so once per process.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    scale = int(os.environ.get("BENCH_SCALE", "2" if quick else "250"))
    # The seed's notifications are sent to nobody: the embedded default prints mail otherwise.
    mail = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    with throwaway.database("portal-bench-"), mail:
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", "--scale", str(scale), "--password", PASSWORD, stdout=quiet)
        command.figure("portal.seed", round(time.perf_counter() - started, 1), "s", scale=scale,
                       **dataset_size())  # fmt: skip
        with connection.cursor() as cursor:
            # What autovacuum keeps in service: planner statistics and, on PostgreSQL, the
            # visibility map that lets covering indexes answer without reading the table.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        bench_pages(command, quick)
        bench_admin(command, quick)
        bench_referral(command, quick)
        bench_indicators(command, quick)
        bench_followup(command, quick)
        bench_http(command, quick)
        bench_mixed_read_write(command, quick)
        bench_healthz_redis_down(command, quick)
        bench_rebuild(command)
        bench_extraction(command, quick)


def dataset_size():
    sizes = {}
    for label, model in [
        ("resources", "library.ResourcePage"),
        ("meetings", "meetings.MeetingPage"),
        ("people", "network.Person"),
        ("action_points", "meetings.ActionPoint"),
    ]:
        try:
            sizes[label] = apps.get_model(model).objects.count()
        except LookupError:
            sizes[label] = "n/a"
    return sizes


def first_url(model_label, **filters):
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return None
    queryset = model.objects.filter(**filters)
    if hasattr(queryset, "live"):
        queryset = queryset.live()
    obj = queryset.order_by("pk").first()
    if obj is None:
        return None
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else obj.url


def main_pages():
    """The pages of issue 9, by name; a page whose app is missing is reported, not skipped."""
    return [
        ("home", "/"),
        ("library", "/library/"),
        ("library_filtered", "/library/?type=guideline&topic=referral"),
        ("resource", first_url("library.ResourcePage", audience="public")),
        ("meetings", "/meetings/"),
        ("meeting", first_url("meetings.MeetingPage")),
        ("actions", "/meetings/actions/"),
        ("directory", "/network/"),
        ("person", first_url("network.Person", is_active=True)),
        ("search_page", "/search/?q=referral+of+children"),
        ("search_api", "/api/search/?q=referral+of+children"),
    ]


MEMBERS_ONLY = {"actions"}  # an anonymous visitor is sent to sign in (302)


def bench_pages(command, quick):
    """p50/p95 over warm caches (what a visitor meets between two publications), `cold` for
    the first request after one, and the queries of a warm request."""
    repeats = 10 if quick else 40
    with override_settings(DEBUG=False):  # as served: no debug bookkeeping
        for who in ("anonymous", "member"):
            client = client_as(who)
            for name, url in main_pages():
                if url is None:
                    command.figure(f"page.{name}.{who}", "missing",
                                   note="no such object in the data")  # fmt: skip
                    continue
                # `cold`: the first request after a content change, when every shared cache of
                # pages and fragments starts a new generation: the render with nothing cached.
                measured = measure(client, url, repeats, cold=invalidate)
                expected = 302 if who == "anonymous" and name in MEMBERS_ONLY else 200
                report(command, f"page.{name}.{who}", measured, PAGE_TARGET_MS, expected)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db["USER"] or "postgres")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def load(port, paths, seconds, connections=4):
    """Successful requests per second from `connections` threads, each going round `paths`."""
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index):
        number = index
        while time.monotonic() < stop:
            # One connection per request, as gunicorn's sync workers close each one anyway.
            conn = HTTPConnection("127.0.0.1", port, timeout=60)
            path = paths[number % len(paths)]
            conn.request("GET", path, headers={"Host": "127.0.0.1", "Connection": "close"})
            response = conn.getresponse()
            response.read()
            conn.close()
            counts[index] += response.status == 200
            number += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def peak_rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_until_serving(port, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/ping")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout} s")


@contextlib.contextmanager
def gunicorn(workers=2, preload=True, static=True, log_level="WARNING", **environ):
    """A gunicorn server of the portal with the production settings on this run's database, on
    a free loopback port, `environ` added to its environment; with `static`, over static files
    collected for it (else an empty directory of them, which WhiteNoise does not warn about).
    Yields (process, port) once it answers; stopped afterwards."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(),
        "LOG_LEVEL": log_level,
        **environ,
    }
    static_root = env["STATIC_ROOT"] = tempfile.mkdtemp(prefix="portal-bench-static-")
    if static:
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--workers", str(workers),
         *(["--preload"] if preload else []),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_serving(port)
        yield server, port
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)


def bench_http(command, quick):
    with gunicorn() as (server, port):
        seconds = 3 if quick else 10
        load(port, ["/ping"], 1)
        load(port, ["/"], 1)  # fill the page cache
        constant = load(port, ["/ping"], seconds)
        public = load(port, ["/"], seconds)
        command.figure("http.constant_view", round(constant), "req/s", workers=2)
        command.figure("http.public_page_cached", round(public), "req/s", workers=2)
        ratio = public / constant if constant else 0
        command.figure("http.public_to_constant_ratio", round(ratio, 2), target=">=0.5",
                       ok="yes" if ratio >= 0.5 else "NO")  # fmt: skip
        peak = max((peak_rss_kb(pid) for pid in children(server.pid)), default=0)
        command.figure("memory.web_worker_peak", round(peak / 1024, 1), "MB")


def bench_healthz_redis_down(command, quick):
    """/healthz latency under gunicorn with Redis (cache and broker) down: nothing listens on its
    port. Each answer comes from the components' last background probes (portal/health.py)."""
    redis_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there: a stopped Redis
    with gunicorn(workers=1, preload=False, static=False, log_level="ERROR", REDIS_URL=redis_url,
                  CACHE_URL=redis_url, CELERY_BROKER_URL=redis_url) as (_server, port):  # fmt: skip

        def healthz():
            conn = HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            conn.close()
            return elapsed, response.status, body

        # The first answers of a process may precede its first probes' results.
        deadline = time.monotonic() + 30
        while b'"degraded"' not in healthz()[2] and time.monotonic() < deadline:
            time.sleep(0.1)
        timings, statuses = [], set()
        for _ in range(50 if quick else 300):
            elapsed, status, _body = healthz()
            timings.append(elapsed)
            statuses.add(status)
            time.sleep(0.01)  # spread over several probe periods (2 s each)
        p95 = percentile(timings, 0.95)
        command.figure("http.healthz_redis_down_p95", round(p95, 1), "ms", target="<100",
                       ok="yes" if p95 < 100 else "NO", max=round(max(timings), 1),
                       status="/".join(str(code) for code in sorted(statuses)))  # fmt: skip


MIXED_TARGET = 0.85
WRITE_EVERY = 5  # seconds


def first_urls(model_label, count, **filters):
    model = apps.get_model(model_label)
    queryset = model.objects.filter(**filters)
    if hasattr(queryset, "live"):
        queryset = queryset.live()
    return [obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else obj.url
            for obj in queryset.order_by("pk")[:count]]  # fmt: skip


def mixed_paths():
    """Cached public pages a visitor browses: the home page, each section's index, three of
    its pages, a filtered listing and two searches."""
    return [
        "/",
        "/library/",
        "/library/?type=guideline",
        *first_urls("library.ResourcePage", 3, audience="public"),
        "/meetings/",
        *first_urls("meetings.MeetingPage", 3, audience="public"),
        "/network/",
        *first_urls("network.Country", 3),
        *first_urls("network.Person", 3, is_active=True),
        "/search/?q=referral+of+children",
        "/search/?q=labour+exploitation+indicators",
    ]


@contextlib.contextmanager
def shared_cache_url():
    """The Redis the bench's cache is, else a throwaway redis-server; None without either (a
    per-process cache would not see the writes)."""
    configured = settings.CACHES["default"]
    if "redis" in configured["BACKEND"].lower():
        yield configured["LOCATION"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    directory = tempfile.mkdtemp(prefix="portal-bench-redis-")
    server = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", directory],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


def write_loop():
    """The writes of the mixed figure, in a process of their own (as the admin's requests and
    the workers are): commands on stdin, one a line. `go` starts one write every WRITE_EVERY
    seconds, the first after half of it: a resource imported (`import_resources`, indexed in
    bulk at its end), then a public resource made members-only or public again, in turn;
    `pause` stops them; the end of input ends the process, which prints `wrote N` (or the
    error). Tasks run inline, as a worker would run them."""
    from library.models import ResourcePage
    from portal.access import Audience
    from portal.celery import app

    app.conf.task_always_eager = True
    active, changed, ended = threading.Event(), threading.Event(), threading.Event()

    def read_commands():
        for line in sys.stdin:
            (active.set if line.strip() == "go" else active.clear)()
            changed.set()
        ended.set()
        changed.set()

    threading.Thread(target=read_commands, daemon=True).start()
    target = ResourcePage.objects.live().filter(audience=Audience.PUBLIC).order_by("-pk")[0]
    done = 0
    print("ready", flush=True)  # noqa: T201 - the parent waits for this line
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            while not ended.is_set():
                changed.wait()
                changed.clear()
                next_write = time.monotonic() + WRITE_EVERY / 2
                while active.is_set() and not ended.is_set():
                    if changed.wait(max(0, next_write - time.monotonic())):
                        changed.clear()
                        continue
                    if done % 2 == 0:
                        _import_one(done)
                    else:
                        _switch_audience(target.pk)
                    done += 1
                    next_write += WRITE_EVERY
    except Exception as error:  # noqa: BLE001 - reported with the figure
        print(f"failed {type(error).__name__}: {error}", flush=True)  # noqa: T201
        raise
    print(f"wrote {done}", flush=True)  # noqa: T201


def _switch_audience(page_id):
    from library.models import ResourcePage
    from portal.access import Audience

    page = ResourcePage.objects.get(pk=page_id)
    public = page.audience == Audience.PUBLIC
    page.audience = Audience.MEMBERS if public else Audience.PUBLIC
    page.save_revision().publish()


def _import_one(number):
    line = {
        "external_id": f"bench-mixed-{os.getpid()}-{number}",
        "title": f"Bench referral guideline {number}",
        "summary": "Referral of presumed victims between national mechanisms.",
        "resource_type": "guideline",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as file:
        file.write(json.dumps(line) + "\n")
        file.flush()
        call_command("import_resources", file.name, verbosity=0)


def start_writer(cache_url):
    """write_loop() in a process of its own on this run's database and the server's cache;
    returns once it is ready."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DATABASE_CONN_MAX_AGE": "0",
           "CACHE_URL": cache_url, "LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c",
         "import django; django.setup(); from benchmarks.site import write_loop; write_loop()"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the bench's writer did not start")
    return process


def tell(process, command):
    process.stdin.write(command + "\n")
    process.stdin.flush()


def bench_mixed_read_write(command, quick):
    """Reads per second of cached public pages with one write every WRITE_EVERY seconds
    (write_loop), against the same reads without writes, under gunicorn (2 workers). Windows
    without and with writes alternate, and the ratio is the median of each pair's, so that
    whatever else loads the machine weighs on both alike."""
    paths = mixed_paths()
    with shared_cache_url() as cache_url:
        if cache_url is None:
            command.figure("http.public_pages_with_writes", "missing",
                           note="needs Redis (REDIS_URL or a redis-server to start)")  # fmt: skip
            return
        with gunicorn(CACHE_URL=cache_url) as (_server, port):
            writer = start_writer(cache_url)
            try:
                rounds, seconds = (1, 6) if quick else (3, 10)
                load(port, paths, 2)  # fill the page cache
                pairs = []
                for _ in range(rounds):
                    read_only = load(port, paths, seconds)
                    tell(writer, "go")
                    pairs.append((read_only, load(port, paths, seconds)))
                    tell(writer, "pause")
                writer.stdin.close()
                outcome = writer.stdout.read().strip()
                writer.wait(timeout=60)
            finally:
                if writer.poll() is None:
                    writer.kill()
    read_only = statistics.mean(pair[0] for pair in pairs)
    mixed = statistics.mean(pair[1] for pair in pairs)
    ratio = statistics.median(with_writes / alone if alone else 0 for alone, with_writes in pairs)
    wrote = outcome.split()[-1] if outcome.startswith("wrote ") else "0"
    command.figure(
        "http.public_pages_with_writes", round(mixed), "req/s",
        target=f">={MIXED_TARGET}x read-only", read_only=round(read_only), ratio=round(ratio, 2),
        writes=wrote, every=f"{WRITE_EVERY}s", pages=len(paths), workers=2,
        ok="yes" if ratio >= MIXED_TARGET and outcome.startswith("wrote ") else "NO",
        **({} if outcome.startswith("wrote ") else {"error": outcome.splitlines()[-1:]}),
    )  # fmt: skip


def bench_rebuild(command):
    from search.models import IndexedRecord

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("search_index", "rebuild", stdout=quiet)
    elapsed = time.perf_counter() - started
    records = IndexedRecord.objects.count()
    rate = records / elapsed if elapsed else 0
    command.figure("search.rebuild", round(rate), "records/s", target=f">={REBUILD_TARGET}",
                   records=records, seconds=round(elapsed, 1), backend=connection.vendor,
                   ok="yes" if rate >= REBUILD_TARGET else "NO")  # fmt: skip


def bench_pdf(pages, seed):
    """A PDF of `pages` pages of varied text (what a guideline looks like to the extractor)."""
    import io
    import random

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    rng = random.Random(seed)  # noqa: S311 - reproducible text, not a secret
    words = [
        "referral", "identification", "victim", "assistance", "shelter", "labour", "child",
        "exploitation", "coordinator", "procedure", "border", "return", "protection",
    ]  # fmt: skip
    styles = getSampleStyleSheet()
    story = []
    for page in range(pages):
        story.append(Paragraph(f"Chapter {page + 1}", styles["Heading2"]))
        for _ in range(6):
            text = " ".join(rng.choice(words) for _ in range(60))
            story.append(Paragraph(text.capitalize() + ".", styles["BodyText"]))
        story.append(PageBreak())
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Bench {seed}").build(story)
    return buffer.getvalue()


def bench_extraction(command, quick):
    """Documents created as an upload creates them; their text extracted by the real task."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from library.models import LibraryDocument

    count, pages = (6, 5) if quick else (40, 10)
    contents = [bench_pdf(pages, seed) for seed in range(4)]
    broker = settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER
    worker = start_extraction_worker() if broker else None
    try:
        started = time.perf_counter()
        documents = []
        with transaction.atomic():  # the tasks are enqueued when this commits
            for number in range(count):
                document = LibraryDocument(title=f"Bench extraction {number}")
                document.file.save(f"bench-{number}.pdf", ContentFile(contents[number % 4]),
                                   save=False)  # fmt: skip
                document.file_size = len(contents[number % 4])
                if broker:
                    document.save()  # post_save enqueues the extraction task after commit
                else:
                    LibraryDocument.objects.bulk_create([document])  # run below, pinned
                documents.append(document)
        started = time.perf_counter()  # the tasks are on the queue from here
        ids = [document.pk for document in documents]
        if not broker:
            from library.tasks import extract_document_text

            previous = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {min(previous)})
            try:
                started = time.perf_counter()
                for pk in ids:
                    extract_document_text(pk)
            finally:
                os.sched_setaffinity(0, previous)
        done = wait_extracted(ids, timeout=600)
        elapsed = time.perf_counter() - started
        extracted = LibraryDocument.objects.filter(pk__in=ids, extraction_status="extracted")
        total_pages = sum(extracted.values_list("page_count", flat=True))
        rate = total_pages / elapsed if elapsed else 0
        met = rate >= EXTRACTION_TARGET and len(done) == len(ids)
        command.figure("extraction.pdf", round(rate, 1), "pages/s", target=f">={EXTRACTION_TARGET}",
                       documents=f"{len(done)}/{len(ids)}", pages=total_pages,
                       worker="celery taskset -c 0" if broker else "in-process, one core",
                       ok="yes" if met else "NO")  # fmt: skip
        if worker is not None:
            peak = max(peak_rss_kb(pid) for pid in [worker.pid, *children(worker.pid)])
            command.figure("memory.celery_worker_peak", round(peak / 1024, 1), "MB",
                           pool="solo", queue="extraction")  # fmt: skip
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
            worker.log.close()
            purge_queues()


def wait_extracted(ids, timeout):
    from library.models import LibraryDocument

    deadline = time.monotonic() + timeout
    while True:
        done = list(
            LibraryDocument.objects.filter(pk__in=ids)
            .exclude(extraction_status=LibraryDocument.Extraction.PENDING)
            .values_list("pk", flat=True)
        )
        if len(done) == len(ids) or time.monotonic() > deadline:
            return done
        time.sleep(0.05)


def start_extraction_worker(timeout=120):
    """A real Celery worker on the extraction queue, pinned to one core, on this run's database
    and broker; returns once it answers a ping."""
    from portal.celery import app

    hostname = f"bench-extraction-{os.getpid()}@localhost"
    # The bench's own settings, named: the Celery app alone would load production's. Read from
    # the environment (as LazySettings does): under override_settings, settings.SETTINGS_MODULE
    # is the override holder's, None.
    env = {**os.environ, "DATABASE_URL": database_url(), "DATABASE_CONN_MAX_AGE": "0",
           "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}  # fmt: skip
    # Its banner and warnings go to a log file, not between the figures; shown if it fails.
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-worker-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [shutil.which("taskset") or "/usr/bin/taskset", "-c", "0",
         sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "-Q", "extraction", "-n", hostname, "--without-mingle",
         "--without-gossip", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    process.log = log
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited early:\n{_tail(log)}")
        if app.control.ping(destination=[hostname], timeout=0.5):
            return process
    process.terminate()
    raise RuntimeError(f"the Celery worker did not answer within {timeout} s:\n{_tail(log)}")


def _tail(log, lines=20):
    log.flush()
    log.seek(0)
    return "".join(log.readlines()[-lines:])


def purge_queues():
    """Drop the tasks the run left on the broker (alerts for the demo content...)."""
    from portal.celery import app

    with contextlib.suppress(Exception):  # best effort: the broker may be gone
        app.control.purge()
