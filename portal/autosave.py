"""
One create form, one page: Wagtail's autosave without the double create.

Wagtail 8 autosaves the admin's create form: the first autosave is a background POST to the
create view, which creates the page as a draft and answers with the edit view's address, to which
the form then switches. Until that answer is back, the form still posts to the create view; an
editor who publishes at once after typing sends a second create for the same form. Wagtail runs
the two independently: the second one then either creates the page a second time (the editor
typed on, so the slug that follows the title differs), or fails on the slug the first one took,
inside the page's save (a 500) or in the form (the publish refused).

Here the create form carries a token (`TOKEN_FIELD`, rendered by the portal's override of
`wagtailadmin/pages/create.html`). A POST to the create view that carries one runs in a
transaction that first claims the token: a `CreateFormClaim` row, unique by token, so a second
request of the same form (in any web worker) waits on the row until the first has committed. The
first request creates the page as Wagtail does and records it on the claim; the second finds the
page and is handed to the edit view of that page, as if the answer of the first had already
switched the form:

- the editor's own action (Publish, Save draft, Submit) edits the page with the whole form;
- a background autosave overwrites the draft the form's first autosave made (a retry of a save
  whose answer was lost), or, when the form's first request published or submitted the page,
  is refused as out of date (the older form state must not become a newer draft); its answer
  carries the edit view's address, as the create view's does, so the form switches to it.

Snippets with revisions (the directory's people, organisations and institutions) have the same
autosaving create form, and the same claim (`create_snippet_once`): the second request of the
form edits the snippet the first created, in the snippet's edit view. There a background autosave
after the editor's own Save is refused as out of date (it would put back an older state of the
form into the saved snippet itself, as snippets without drafts save in place).

The state lives in the database, so it holds across processes; the token is the form's, so two
create forms (two tabs) still create two pages. A form without a token (opened before this was
deployed) is created as Wagtail does.
"""

import json
import uuid
from datetime import timedelta

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from modelcluster.models import get_all_child_relations

from portal.models import CreateFormClaim
from portal.parameters import whole_number

TOKEN_FIELD = "portal_create_form"  # noqa: S105 - a form field's name, not a secret
CLAIMS_KEPT = timedelta(days=1)
MAX_ROWS = 1000  # Django's formsets read no more (their absolute_max)
# Request attributes: the claim the running create belongs to, and the page it created.
_CLAIM = "_portal_create_form_claim"
_CREATED = "_portal_created_page"


def form_token(request):
    """The token to render in a create form: the one it was posted with (a form shown again with
    its errors is the same form), else a new one."""
    try:
        return str(uuid.UUID(request.POST.get(TOKEN_FIELD, "")))
    except ValueError:
        return str(uuid.uuid4())


def expects_json(request):
    return not request.accepts("text/html")


def refuse(request, message):
    """A 400 in the form the request asked for (autosave reads JSON)."""
    if expects_json(request):
        return JsonResponse(
            {"success": False, "error_code": "validation_error", "error_message": message},
            status=400,
        )
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def create_once(request, parent_page, page_class):
    """`before_create_page` hook: a create form's requests create one page (see above).
    Touches the database: the claim row, and the whole create inside its transaction."""
    return _create_once(request, _PageForm())


def create_snippet_once(request, model):
    """`before_create_snippet` hook: a snippet's create form's requests create one snippet, as
    `create_once` does for pages. Touches the database: the claim row, and the whole create
    inside its transaction."""
    return _create_once(request, _SnippetForm(model))


def record_created_page(request, page):
    """`after_create_page`, `before_publish_page` and `after_create_snippet` hook (run first):
    notes the page or snippet a claimed create made, for `create_once` to record on the claim."""
    if getattr(request, _CLAIM, None) is not None and not hasattr(request, _CREATED):
        setattr(request, _CREATED, page)


class _PageForm:
    """A page's create form: its claim records the page, handed on to the page's edit view."""

    recorded_fields = ["page", "revision", "created_as_draft"]

    def claim_defaults(self):
        return {}

    def refusal(self, claim):
        return None

    def made(self, claim):
        return claim.page_id is not None

    def edit_url(self, claim):
        return reverse("wagtailadmin_pages:edit", args=[claim.page_id])

    def instance(self, claim):
        return claim.page.specific

    def record(self, claim, page, request):
        claim.page_id = page.pk
        claim.revision_id = page.latest_revision_id
        claim.created_as_draft = not _publishes(request)


class _SnippetForm:
    """A snippet's create form: its claim records the snippet and its model, handed on to the
    snippet's edit view. A snippet saved by the editor's own Save is no draft."""

    recorded_fields = ["snippet_id", "revision", "created_as_draft"]

    def __init__(self, model):
        self.model = model
        self.content_type = None

    def claim_defaults(self):
        self.content_type = ContentType.objects.get_for_model(self.model)
        return {"snippet_type": self.content_type}

    def refusal(self, claim):
        if claim.snippet_type_id != self.content_type.pk:
            return _("This form's token belongs to another kind of form.")
        return None

    def made(self, claim):
        return bool(claim.snippet_id)

    def edit_url(self, claim):
        return reverse(
            self.model.snippet_viewset.get_url_name("edit"), args=[quote(claim.snippet_id)]
        )

    def instance(self, claim):
        return self.model.objects.get(pk=claim.snippet_id)

    def record(self, claim, instance, request):
        claim.snippet_id = str(instance.pk)
        claim.revision_id = getattr(instance, "latest_revision_id", None)
        claim.created_as_draft = expects_json(request) and not _publishes(request)


def _publishes(request):
    return bool(request.POST.get("action-publish") or request.POST.get("action-submit"))


def _create_once(request, form):
    """The create of `form` (a `_PageForm` or `_SnippetForm`) under its token's claim."""
    if request.method != "POST" or hasattr(request, _CLAIM):
        return None
    value = request.POST.get(TOKEN_FIELD)
    if not value:
        return None
    try:
        token = uuid.UUID(value)
    except ValueError:
        return refuse(
            request,
            _("The form's %(field)s is malformed: open the form again.") % {"field": TOKEN_FIELD},
        )
    defaults = {"user": request.user, **form.claim_defaults()}
    with transaction.atomic():
        claim, created = CreateFormClaim.objects.get_or_create(token=token, defaults=defaults)
        if created:
            CreateFormClaim.objects.filter(created_at__lt=timezone.now() - CLAIMS_KEPT).delete()
        else:
            # Waits here while another request of the same form is creating the page or snippet.
            claim = CreateFormClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.user_id != request.user.pk:
            return refuse(request, _("This form belongs to another user's session."))
        refusal = form.refusal(claim)
        if refusal:
            return refuse(request, refusal)
        if form.made(claim):
            return _edit_instead(request, claim, form.edit_url(claim), form.instance(claim))
        setattr(request, _CLAIM, claim)
        match = resolve(request.path_info)
        response = match.func(request, *match.args, **match.kwargs)
        made = getattr(request, _CREATED, None)
        if made is not None:
            form.record(claim, made, request)
            claim.save(update_fields=form.recorded_fields)
    return response


def _edit_instead(request, claim, edit_url, instance):
    """Hand a request of a create form whose page or snippet exists to its edit view."""
    data = request.POST.copy()
    data.pop(TOKEN_FIELD, None)
    _same_rows(data, instance)
    autosaving = expects_json(request)
    if autosaving:
        if claim.created_as_draft and claim.revision_id:
            # The form's first autosave made this draft; this save is a newer state of the form.
            data["overwrite_revision_id"] = str(claim.revision_id)
        else:
            # The form published, submitted or saved already; this state is older than that.
            data["loaded_revision_id"] = "0"
    request.POST = data
    match = resolve(edit_url)
    response = match.func(request, *match.args, **match.kwargs)
    if (
        autosaving
        and response.status_code == 200
        and response["Content-Type"] == "application/json"
    ):
        # Answer as the create view does, so the form switches to the edit view.
        body = json.loads(response.content)
        body.pop("html", None)
        body["url"] = edit_url
        body["hydrate_url"] = f"{edit_url}?_w_hydrate_create_view=1"
        return JsonResponse(body)
    return response


def _same_rows(data, instance):
    """The create form's inline rows (agenda items, participants, a person's phones...) as the
    rows its first request created. The form has not heard back from that request, so its rows
    carry no ids, and the edit view would add each one again: the i-th row of each inline
    formset is given the id of the i-th row the edit view shows (the latest revision's, in
    order). Rows past those are new; a formset whose rows have ids is left as it is."""
    bound = (
        instance.get_latest_revision_as_object()
        if hasattr(instance, "get_latest_revision_as_object")
        else instance
    )
    for relation in get_all_child_relations(type(bound)):
        prefix = relation.get_accessor_name()
        total = min(whole_number(data.get(f"{prefix}-TOTAL_FORMS", "")) or 0, MAX_ROWS)
        if not total:
            continue
        pk_name = relation.related_model._meta.pk.name
        if any(data.get(f"{prefix}-{index}-{pk_name}") for index in range(total)):
            continue
        existing = [child.pk for child in getattr(bound, prefix).all()][:total]
        for index, pk in enumerate(existing):
            data[f"{prefix}-{index}-{pk_name}"] = str(pk)
        data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
