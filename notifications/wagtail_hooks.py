"""The secretariat's view of what was sent to whom and when, of failures, and of messages whose
outcome is unknown (status Unconfirmed: see Delivery): read-only. And the freshness campaigns'
pages (notifications.admin_views)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.access import is_secretariat

from . import admin_views, freshness
from .models import Delivery


class SecretariatReadOnlyPolicy(ModelPermissionPolicy):
    """The ledger is a record: the secretariat may read it, nobody may change it by hand."""

    def user_has_permission(self, user, action):
        return action == "view" and is_secretariat(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and is_secretariat(user)


class DeliveryIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("recipient", "person")


class DeliveryInspectView(InspectView):
    def get_object(self, queryset=None):
        return Delivery.objects.select_related("recipient", "person").get(pk=self.pk)

    def get_field_label(self, field_name, field):
        if field_name == "message_id":
            return "Message-ID"  # the header's name, as the mail server's log shows it
        return super().get_field_label(field_name, field)


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = _("Messages sent")
    menu_order = 910
    add_to_admin_menu = True
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "recipient",
        "person",
        Column("email", label=_("Email"), accessor=lambda delivery: address_of(delivery)),
        "kind",
        "status",
        "attempts",
        "sent_at",
        "created_at",
        "event_key",
    ]
    list_filter = ["status", "kind", "sent_at", "created_at"]
    search_fields = ["recipient__email", "address", "event_key", "subject", "last_error"]
    search_backend_name = None
    # Never offered (the policy refuses add and change); Wagtail wants a form declared.
    form_fields = ["status"]
    inspect_view_fields = [
        "recipient",
        "person",
        "address",
        "kind",
        "event_key",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "updated_at",
        "sent_at",
        # To look an unconfirmed message up in the mail server's log, and see who tried when.
        "message_id",
        "claimed_by",
        "claimed_at",
        "handed_over_at",
    ]


def address_of(delivery):
    """The address sent to; for rows from before addresses were recorded, the account's."""
    if delivery.address:
        return delivery.address
    return delivery.recipient.email if delivery.recipient else ""


register_permission_policy(Delivery, SecretariatReadOnlyPolicy(Delivery), exact_class=True)


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet("deliveries")


# ------------------------------------------------------------------ freshness campaigns


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return is_secretariat(request.user)


@hooks.register("register_admin_urls")
def register_campaign_urls():
    return [
        path(
            "freshness-campaigns/",
            admin_views.campaign_index,
            name="freshness_campaigns",
        ),
        path(
            "freshness-campaigns/new/",
            admin_views.campaign_start,
            name="freshness_campaign_start",
        ),
        path(
            "freshness-campaigns/<int:campaign_id>/",
            admin_views.campaign_detail,
            name="freshness_campaign",
        ),
        path(
            "freshness-campaigns/<int:campaign_id>/remind/",
            admin_views.campaign_remind,
            name="freshness_campaign_remind",
        ),
        path(
            "freshness-campaigns/<int:campaign_id>/answers/<int:answer_id>/applied/",
            admin_views.correction_applied,
            name="freshness_campaign_applied",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_campaigns_menu_item():
    return SecretariatMenuItem(
        _("Freshness campaigns"),
        reverse("freshness_campaigns"),
        icon_name="mail",
        order=311,
    )


class ConfirmedThroughLink(LogFormatter):
    """An entry confirmed through a signed link: no account did it, the link says which."""

    label = _("Confirm entry through a link")

    def format_message(self, log_entry):
        campaign = (log_entry.data or {}).get("campaign")
        if campaign:
            return _(
                "Entry confirmed as current through the link of freshness campaign %(number)s"
            ) % {"number": campaign}
        return _("Entry confirmed as current through the link in a directory reminder")


@hooks.register("register_log_actions")
def register_campaign_log_actions(actions):
    actions.register_action(
        "notifications.campaign_start", _("Start campaign"), _("Freshness campaign started")
    )
    actions.register_action(
        "notifications.campaign_remind", _("Remind"), _("Freshness campaign reminder requested")
    )
    actions.register_action(
        "notifications.campaign_correction_applied",
        _("Apply correction"),
        _("Correction from a freshness campaign applied"),
    )
    actions.register_action(freshness.LINK_CONFIRM)(ConfirmedThroughLink)
