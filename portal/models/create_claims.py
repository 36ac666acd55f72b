from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CreateFormClaim(models.Model):
    """
    One new page's create form, known by the token it carries (see portal/autosave.py), and the
    page that form's first successful request created. The form's autosave and its Publish can
    both reach the create view; the unique token makes the second wait for the first and then
    edit the page the first created, instead of creating it again. Kept a day, then pruned.
    """

    token = models.UUIDField(unique=True, help_text=_("The token the create form carries."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Who opened the form; nobody else may post with its token."),
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The page the form created; empty until it does."),
    )
    # A snippet's create form (Wagtail autosaves those of snippets with revisions too): the
    # snippet it created, by content type and primary key (snippets have no common table).
    snippet_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The model of the snippet the form created; empty for a page's form."),
    )
    snippet_id = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("The primary key of the snippet the form created; empty until it does."),
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The revision the creating request saved."),
    )
    created_as_draft = models.BooleanField(
        default=True,
        help_text=_("Whether the first request saved a draft (not a publish)."),
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("create form claim")

    def __str__(self):
        return str(self.token)
