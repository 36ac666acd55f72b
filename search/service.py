"""
The search service's entry points. The storage and query backends are built by the search issue;
until then records are accepted and dropped, and the status says so.
"""


def replace_records(source_name, object_id, records):
    """Store `records` as the complete set for one object (removing any others it had)."""
    return None


def backend_status():
    """(ok, detail) for /healthz."""
    return True, "database"
