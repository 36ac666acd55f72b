from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from search import thesaurus


class Command(BaseCommand):
    help = (
        "Load thesaurus concepts from a JSON file (default: the seed thesaurus shipped with the "
        "portal). Concepts already present are kept as the secretariat edited them, unless "
        "--replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(thesaurus.SEED_FILE))
        parser.add_argument("--replace", action="store_true", help="Overwrite existing concepts.")

    def handle(self, *args, file, replace=False, **options):
        try:
            created, replaced = thesaurus.load(file, replace=replace)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise CommandError(f"{file} is not a thesaurus file: {exc}") from None
        self.stdout.write(f"Thesaurus: {created} concepts added, {replaced} replaced.")
