"""
The audit trail of accounts: group membership, second factors, passwords and deactivation are
written to Wagtail's log (who, what, when), which the secretariat reads under Reports → Site
history. Other apps log their own changes (directory entries, downloads) the same way.
"""

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, pre_save
from django.utils.translation import gettext_lazy as _

from wagtail.log_actions import log

ACTIONS = {
    "portal.user.groups": (_("Change groups"), _("Groups changed")),
    "portal.user.deactivate": (_("Deactivate"), _("Account deactivated")),
    "portal.user.activate": (_("Activate"), _("Account activated")),
    "portal.mfa.add": (_("Add second factor"), _("Second factor added")),
    "portal.mfa.remove": (_("Remove second factor"), _("Second factor removed")),
    "portal.mfa.reset": (_("Reset recovery codes"), _("Recovery codes regenerated")),
    "portal.password.change": (_("Change password"), _("Password changed")),
    "portal.password.reset": (_("Reset password"), _("Password reset")),
}


def _actor(request=None):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _groups_changed(sender, instance, action, pk_set, model, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    users = [instance] if isinstance(instance, get_user_model()) else []
    if not users:  # changed from the group's side: instance is a Group
        users = list(get_user_model().objects.filter(pk__in=pk_set or ()))
        names = [instance.name]
    else:
        names = list(model.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    for user in users:
        log(user, "portal.user.groups", data={"change": action[5:], "groups": sorted(names)})


def _active_changed(sender, instance, **kwargs):
    if not instance.pk:
        return
    was_active = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    if was_active is not None and was_active != instance.is_active:
        log(instance, "portal.user.activate" if instance.is_active else "portal.user.deactivate")


def _mfa(action):
    def receiver(sender, request=None, user=None, authenticator=None, **kwargs):
        data = {"type": getattr(authenticator, "type", "")}
        log(user, action, user=_actor(request) or user, data=data)

    return receiver


def _password(action):
    def receiver(sender, request=None, user=None, **kwargs):
        log(user, action, user=_actor(request) or user)

    return receiver


_receivers = {
    "add": _mfa("portal.mfa.add"),
    "remove": _mfa("portal.mfa.remove"),
    "reset": _mfa("portal.mfa.reset"),
    "changed": _password("portal.password.change"),
    "reset_pw": _password("portal.password.reset"),
}


def connect():
    User = get_user_model()
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="audit.groups")
    pre_save.connect(_active_changed, sender=User, dispatch_uid="audit.active")
    authenticator_added.connect(_receivers["add"], dispatch_uid="audit.mfa.add")
    authenticator_removed.connect(_receivers["remove"], dispatch_uid="audit.mfa.remove")
    authenticator_reset.connect(_receivers["reset"], dispatch_uid="audit.mfa.reset")
    password_changed.connect(_receivers["changed"], dispatch_uid="audit.password.changed")
    password_reset.connect(_receivers["reset_pw"], dispatch_uid="audit.password.reset")
