import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = (
        "Run the benchmarks: each app's `bench.py` contributes; one line per figure. "
        "Use --only APP to run one app's benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], help="App label(s) to run.")
        parser.add_argument(
            "--quick", action="store_true", help="Smaller datasets, for a smoke run in CI."
        )

    def handle(self, *args, only=(), quick=False, **options):
        started = time.monotonic()
        for app_config in apps.get_app_configs():
            if only and app_config.label not in only:
                continue
            if not module_has_submodule(app_config.module, "bench"):
                continue
            module = __import__(f"{app_config.name}.bench", fromlist=["run"])
            module.run(self, quick=quick)
        self.stdout.write(f"bench total_seconds={time.monotonic() - started:.1f}")

    def figure(self, name, value, unit="", target=None, **extra):
        """Print one figure as a single line: `name value unit [target] key=value...`."""
        parts = [name, f"{value:g}" if isinstance(value, float) else str(value)]
        if unit:
            parts.append(unit)
        if target is not None:
            parts.append(f"(target {target})")
        parts.extend(f"{key}={val}" for key, val in extra.items())
        self.stdout.write(" ".join(parts))
