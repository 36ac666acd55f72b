"""seed_demo's last step (search is last in INSTALLED_APPS): index everything the other apps
just created, in one rebuild."""

from search import reindex, thesaurus


def seed(context):
    count = reindex.rebuild()
    context.announce(f"Search index rebuilt: {count} records.")
    created, _ = thesaurus.load()
    context.announce(f"Thesaurus: {created} concepts added.")
