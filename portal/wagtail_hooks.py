from django.urls import path, reverse
from django.utils.html import json_script
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal import admin_choosers, audit, autosave
from portal.access import is_secretariat
from portal.accounts import views as account_views


@hooks.register("register_admin_urls")
def register_invitation_urls():
    return [
        path("invitations/", account_views.invitation_index, name="portal_invitations"),
        path(
            "invitations/<int:pk>/<str:action>/",
            account_views.invitation_action,
            name="portal_invitation_action",
        ),
        path(
            "autocomplete/<slug:source>/",
            admin_choosers.autocomplete_view,
            name="portal_autocomplete",
        ),
    ]


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return is_secretariat(request.user)


@hooks.register("register_admin_menu_item")
def register_invitations_menu_item():
    return SecretariatMenuItem(
        _("Invitations"), reverse("portal_invitations"), icon_name="mail", order=900
    )


@hooks.register("register_log_actions")
def register_portal_log_actions(actions):
    actions.register_action("portal.invitation.create", _("Invite"), _("Invitation created"))
    actions.register_action("portal.invitation.resend", _("Resend"), _("Invitation resent"))
    actions.register_action("portal.invitation.revoke", _("Revoke"), _("Invitation revoked"))
    actions.register_action("portal.invitation.accept", _("Accept"), _("Invitation accepted"))
    for action, (label, message) in audit.ACTIONS.items():
        actions.register_action(action, label, message)


@hooks.register("register_rich_text_features", order=1)
def links_follow_the_link_rule(features):
    """After Wagtail's own (order 0): page links in rich text ask the policy."""
    from portal.richtext import PolicyPageLinkHandler

    features.register_link_type(PolicyPageLinkHandler)


# A create form's autosave and its Publish create one page (portal/autosave.py). The recorder
# runs before any other hook of its kind, which might answer and stop the others.
hooks.register("before_create_page", autosave.create_once)
hooks.register("after_create_page", autosave.record_created_page, order=-1000)
hooks.register("before_publish_page", autosave.record_created_page, order=-1000)
# The same for the create forms of snippets with revisions (people, organisations...).
hooks.register("before_create_snippet", autosave.create_snippet_once)
hooks.register("after_create_snippet", autosave.record_created_page, order=-1000)


@hooks.register("insert_global_admin_js")
def autocomplete_texts():
    """The texts of the admin's autocompletes (portal/admin/autocomplete.js), once per page
    rather than once per field."""
    return json_script(
        {
            "remove": _("Remove"),
            "nothing": _("Nothing found"),
            "failed": _("The search failed; try again."),
        },
        "portal-autocomplete-texts",
    )
