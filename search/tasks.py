from celery import shared_task

from search import service
from search.registry import get_source


@shared_task(
    ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def index_object(source_name, object_id):
    """Replace the records of one object with what its source says now; tolerates a missing row."""
    source = get_source(source_name)
    obj = source.get_object(object_id)
    records = source.records_for(obj) if obj is not None else []
    service.replace_records(source_name, object_id, records)


@shared_task(
    ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def remove_object(source_name, object_id):
    service.replace_records(source_name, object_id, [])
