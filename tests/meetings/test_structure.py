"""Who owns an action point is decided in the meetings domain, not in a view; no model or
notification imports a view."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize(
    "folder", ["meetings/models", "notifications", "network/models", "meetings/ownership.py"]
)
def test_no_model_or_notification_imports_a_view(folder):
    target = ROOT / folder
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in _imported_modules(path)
        if module.startswith("meetings.views") or module == "meetings.views"
    ]
    assert offenders == []


def test_ownership_is_decided_in_one_place():
    """The rule's class lives in meetings.ownership, and everyone uses that one."""
    from meetings import home, ownership
    from meetings.views import actions
    from notifications.kinds import meetings as meeting_notifications

    assert ownership.ActionOwnership.__module__ == "meetings.ownership"
    for module in (home, actions, meeting_notifications):
        source = Path(module.__file__).read_text()
        assert "class ActionOwnership" not in source
        assert "meetings.ownership" in source
