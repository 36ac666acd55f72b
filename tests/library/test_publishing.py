"""Publishing: the demo's moderation workflow (draft → secretariat review → published) and
scheduled publishing, both through Wagtail's own machinery."""

import datetime
from types import SimpleNamespace

import pytest

from django.core.management import call_command
from django.utils import timezone

from library import demo
from library.models import ResourcePage
from tests.library.factories import resource


@pytest.fixture
def workflow(library):
    return demo._workflow(library)


def test_library_pages_go_through_secretariat_review(workflow, library, secretariat, member):
    page = resource("Draft SOP", publish=False)
    assert page.get_workflow() == workflow
    state = workflow.start(page, secretariat)
    assert state.current_task_state.task.name == "Secretariat review"
    assert not ResourcePage.objects.get(pk=page.pk).live
    # Only the secretariat may approve.
    task = state.current_task_state.task.specific
    assert task.user_can_access_editor(page, secretariat)
    assert not task.user_can_access_editor(page, member)
    state.current_task_state.approve(user=secretariat)
    assert ResourcePage.objects.get(pk=page.pk).live


def test_rejected_resource_stays_unpublished(workflow, library, secretariat):
    page = resource("Draft tool", publish=False)
    state = workflow.start(page, secretariat)
    state.current_task_state.reject(user=secretariat)
    assert not ResourcePage.objects.get(pk=page.pk).live


def test_scheduled_resource_goes_live_with_publish_scheduled(
    client, library, django_capture_on_commit_callbacks
):
    page = resource("Embargoed study", publish=False)
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    assert not ResourcePage.objects.get(pk=page.pk).live
    assert "Embargoed study" not in client.get("/library/").content.decode()

    # The hour passes: the revision's go-live time is now in the past.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")
    assert ResourcePage.objects.get(pk=page.pk).live
    assert "Embargoed study" in client.get("/library/").content.decode()


def test_demo_library_is_built_once_with_every_kind_of_resource(
    library, django_capture_on_commit_callbacks, secretariat
):
    import random

    from tests.library.factories import country, organisation, person

    country("AL", "Albania")
    country("RS", "Serbia")
    organisation("Demo ministry")
    person("Demo", "Person")
    context = SimpleNamespace(
        scale=1,
        rng=random.Random(1),
        stdout=SimpleNamespace(write=lambda text: None),
        secretariat_user=secretariat,
        home=library.get_parent(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(context)
    pages = ResourcePage.objects.live()
    assert pages.filter(external_id__regex=r"^demo-\d+$").count() == 40
    assert set(pages.values_list("resource_type", flat=True)) == {
        "guideline",
        "sop",
        "indicator_set",
        "tool",
        "training",
        "study",
        "legislation",
        "good_practice",
        "agreement",
    }
    assert pages.filter(audience="members").exists()
    assert pages.exclude(supersedes=None).exists()
    assert pages.exclude(translation_of=None).filter(languages__code="fr").exists()
    from library.models import LibraryDocument

    documents = LibraryDocument.objects.all()
    assert {d.file_extension for d in documents} == {"pdf", "docx"}
    assert set(documents.values_list("extraction_status", flat=True)) == {"extracted"}
    assert ResourcePage.objects.get(external_id="demo-draft").workflow_states.exists()
    total = ResourcePage.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(context)
    assert ResourcePage.objects.count() == total
    assert LibraryDocument.objects.count() == documents.count()
