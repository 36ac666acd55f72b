import random
import secrets
import time
from types import SimpleNamespace

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from search.indexing import deferred_indexing


class Command(BaseCommand):
    help = (
        "Build (or refresh) the demo network: site, accounts, directory, library and meetings. "
        "Idempotent: running it again updates what exists instead of duplicating it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo accounts; without it, new accounts get a random one.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply the generated content, for load testing (default 1).",
        )
        parser.add_argument("--seed", type=int, default=2019, help="Random seed (default 2019).")

    def handle(self, *args, password=None, scale=1, seed=2019, **options):
        if scale < 1:
            raise CommandError("--scale must be a whole number of at least 1.")
        context = SimpleNamespace(
            password=password or secrets.token_urlsafe(12),
            password_given=bool(password),
            scale=scale,
            rng=random.Random(seed),
            stdout=self.stdout,
            style=self.style,
            verbosity=options["verbosity"],
            announce=lambda message: self.stdout.write(self.style.SUCCESS(message)),
        )
        # Each app that has a `demo` module contributes, in INSTALLED_APPS order, so the
        # directory exists before the library and meetings refer to it. Search indexing waits
        # for the end: search's own step (last) rebuilds the index from everything created.
        with deferred_indexing() as pending:
            for app_config in apps.get_app_configs():
                if not module_has_submodule(app_config.module, "demo"):
                    continue
                module = __import__(f"{app_config.name}.demo", fromlist=["seed"])
                self.stdout.write(f"Seeding {app_config.verbose_name}…")
                started = time.perf_counter()
                with transaction.atomic():
                    module.seed(context)
                if app_config.label == "search":
                    pending.discard()  # the rebuild covered it
                if options["verbosity"] > 1:
                    self.stdout.write(f"  ({time.perf_counter() - started:.1f} s)")
        self.stdout.write(self.style.SUCCESS("The demo network is ready."))
