"""
Inviting people of the directory (the portal's invitations, linked to the person's entry): the
secretariat's "Invite" bulk action on the People listing, and the receiver that links the new
account to the entry once the invitation is accepted.
"""

from django.contrib import messages
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail.log_actions import log
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from network.models import Person
from portal.access import is_secretariat
from portal.accounts import invitations

PERSON_REF = "network.person:"


def invite_person(person, invited_by=None):
    """Invite `person` at their first email address. InvitationError says why when it cannot."""
    email = person.emails.order_by("sort_order").values_list("address", flat=True).first()
    if not email:
        raise invitations.InvitationError(f"{person} has no email address to invite.")
    if person.user_id:
        raise invitations.InvitationError(f"{person} already has an account.")
    return invitations.invite(
        email, invited_by=invited_by, name=person.full_name, person_ref=f"{PERSON_REF}{person.pk}"
    )


@receiver(invitations.invitation_accepted, dispatch_uid="network.link_invited_person")
def link_invited_person(sender, invitation, user, **kwargs):
    if not invitation.person_ref.startswith(PERSON_REF):
        return
    person_id = invitation.person_ref.removeprefix(PERSON_REF)
    person = Person.objects.filter(pk=person_id, user__isnull=True).first()
    if person is not None:
        person.user = user
        person.save(update_fields=["user"])
        log(person, "network.account_linked", user=user)


class InvitePeopleBulkAction(SnippetBulkAction):
    """Invite the selected people; each gets a single-use link to their first email address."""

    display_name = _("Invite")
    action_type = "invite"
    aria_label = _("Invite the selected people to the portal")
    template_name = "network/admin/confirm_bulk_invite.html"
    action_priority = 50
    models = [Person]

    def check_perm(self, person):
        return is_secretariat(self.request.user)

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        sent, problems = 0, []
        for person in objects:
            try:
                with transaction.atomic():
                    invite_person(person, invited_by=user)
                sent += 1
            except invitations.InvitationError as error:
                problems.append(str(error))
        request = kwargs["self"].request
        for problem in problems:
            messages.warning(request, problem)
        return sent, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d invitation sent.", "%(count)d invitations sent.", num_parent_objects
        ) % {"count": num_parent_objects}
