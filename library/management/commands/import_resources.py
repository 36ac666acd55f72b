import time

from django.core.management.base import BaseCommand, CommandError

from library.importer import LineError, ResourceImporter, wagtail_indexes_once_per_resource
from portal import outbox
from search.indexing import deferred_indexing


class Command(BaseCommand):
    help = (
        "Import library resources from a JSON Lines file (one object a line; see "
        "docs/contracts.md). Idempotent by external_id; bad lines are reported with their number "
        "and reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON Lines file.")
        parser.add_argument(
            "--attachments-dir", help="Where the attachments' relative paths start."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every line, write nothing."
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=500,
            help="Report progress every N lines (default 500).",
        )

    def handle(
        self, *args, file, attachments_dir=None, dry_run=False, progress_every=500, **options
    ):
        verbosity = options["verbosity"]
        try:
            with open(file, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            importer = ResourceImporter(attachments_dir, dry_run=dry_run)
        except LineError as error:
            raise CommandError(str(error)) from error

        total = sum(1 for text in lines if text.strip())
        counts = {"created": 0, "updated": 0, "failed": 0}
        started = time.perf_counter()
        done = 0

        def record(results):
            for number, outcome, error in sorted(results, key=lambda result: result[0]):
                if error is not None:
                    counts["failed"] += 1
                    self.stderr.write(f"Line {number}: {error}")
                else:
                    counts[outcome] += 1

        # Search indexing waits for the end of the import and then indexes every imported
        # resource in bulk; what committed is indexed even if the import stops half-way. The
        # other work (alerts, text extraction) is recorded with each batch (portal.outbox): a
        # broker that refuses it after the commit is reported, not an error of the import.
        with (
            outbox.watch_refusals() as refused,
            wagtail_indexes_once_per_resource(),
            deferred_indexing() as pending,
        ):
            for number, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                done += 1
                try:
                    record(importer.submit(importer.parse(text), number))
                except LineError as error:
                    record([(number, None, error)])
                if verbosity and progress_every > 0 and done % progress_every == 0:
                    record(importer.flush())
                    elapsed = time.perf_counter() - started
                    self.stdout.write(
                        f"{done}/{total} lines ({100 * done / total:.0f}%), "
                        f"{done / elapsed:.0f} lines/s"
                    )
            record(importer.flush())
            if verbosity and len(pending):
                self.stdout.write(f"Indexing {len(pending)} resources for search…")

        elapsed = time.perf_counter() - started
        verb = "Would create" if dry_run else "Created"
        summary = (
            f"{verb} {counts['created']}, {'would update' if dry_run else 'updated'} "
            f"{counts['updated']}, failed {counts['failed']} of {total} lines "
            f"in {elapsed:.1f} s ({total / elapsed if elapsed else 0:.0f} lines/s)."
        )
        if refused.count:
            # The import's writes committed: its exit status speaks of its lines only.
            error = f" ({refused.errors[0]})" if refused.errors else ""
            self.stderr.write(
                self.style.WARNING(
                    f"Warning: the task broker refused {refused.count} follow-up tasks (alerts, "
                    f"text extraction){error}; they are recorded and the outbox sweep dispatches "
                    "them when it is back."
                )
            )
        if counts["failed"]:
            raise CommandError(summary, returncode=1)
        if verbosity:
            self.stdout.write(self.style.SUCCESS(summary))
