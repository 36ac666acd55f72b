import importlib
import time

from django.core.management.base import BaseCommand

# The parts `--only` names, in the order a whole run takes them, and the module that runs each.
PARTS = {
    "portal": "benchmarks.site",
    "search": "benchmarks.search",
}


class Command(BaseCommand):
    help = (
        "Run the benchmarks (the benchmarks package): one line per figure. "
        "Use --only portal or --only search to run one part."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", action="append", default=[], choices=list(PARTS), help="Part(s) to run."
        )
        parser.add_argument(
            "--quick", action="store_true", help="Smaller datasets, for a smoke run in CI."
        )

    def handle(self, *args, only=(), quick=False, **options):
        started = time.monotonic()
        for part, module in PARTS.items():
            if only and part not in only:
                continue
            importlib.import_module(module).run(self, quick=quick)
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
