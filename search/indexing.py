"""
How apps ask for their objects to be (re)indexed: with plain ids, after the transaction commits,
through the `indexing` queue. Domain apps call these from their signal handlers.
"""

from django.db import transaction


def enqueue_index(source_name, object_id):
    """(Re)build the records of one object after commit. Idempotent."""
    from search.tasks import index_object

    object_id = str(object_id)
    transaction.on_commit(lambda: index_object.delay(source_name, object_id))


def enqueue_removal(source_name, object_id):
    """Remove every record of one object after commit (deleted, unpublished...)."""
    from search.tasks import remove_object

    object_id = str(object_id)
    transaction.on_commit(lambda: remove_object.delay(source_name, object_id))
