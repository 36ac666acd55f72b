import time

from django.core.management.base import BaseCommand, CommandError

from search import reindex


class Command(BaseCommand):
    help = (
        "Manage the search index: `rebuild` recreates it from the database, `update` indexes "
        "what is missing or stale and removes orphans, `check` reports drift (exit status 1 "
        "when there is any)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "update", "check"])

    def handle(self, *args, action, **options):
        started = time.monotonic()
        verbose = options["verbosity"] > 0

        def progress(done):
            if verbose:
                self.stdout.write(f"  {done} objects read", ending="\r")
                self.stdout.flush()

        if action == "rebuild":
            count = reindex.rebuild(progress=progress)
            elapsed = time.monotonic() - started
            rate = count / elapsed if elapsed else 0
            self.stdout.write(
                self.style.SUCCESS(f"Rebuilt the index: {count} records in {elapsed:.1f}s "
                                   f"({rate:.0f} records/s).")
            )  # fmt: skip
            return
        drift = reindex.check(progress=progress)
        if verbose:
            self.stdout.write("")
        self._report(drift)
        if action == "check":
            if drift.total:
                raise CommandError(f"The index has drifted: {drift.total} records differ.")
            if drift.unreachable:
                raise CommandError(f"Could not read {', '.join(drift.unreachable)}.")
            self.stdout.write(self.style.SUCCESS("The index matches the database."))
            return
        reindex.update(drift, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Repaired {len(drift.objects)} objects ({drift.total} records).")
        )
        if drift.replayed:
            self.stdout.write(f"Replayed {drift.replayed} writes the cluster had missed.")
        if drift.pending:
            # The database is repaired and searches use it; the cluster catches up on its own.
            self.stderr.write(
                self.style.WARNING(
                    f"{drift.pending} writes wait for the cluster, which could not be reached; "
                    "searches use the database until they are replayed."
                )
            )

    def _report(self, drift):
        for name in drift.unreachable:
            self.stdout.write(f"{name}: unreachable, not compared")
        for label, keys in (
            ("missing", drift.missing),
            ("stale", drift.stale),
            ("orphaned", drift.orphaned),
        ):
            self.stdout.write(f"{label}: {len(keys)}")
            for key in keys[:20]:
                self.stdout.write(f"  {key}")
            if len(keys) > 20:
                self.stdout.write(f"  ... and {len(keys) - 20} more")
