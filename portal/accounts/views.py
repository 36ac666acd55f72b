from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import deny, is_secretariat
from portal.accounts import invitations
from portal.accounts.adapter import apply_preferred_language, forget_language_choice
from portal.accounts.forms import AcceptInvitationForm, InviteForm, PreferencesForm
from portal.models import Invitation


@never_cache
def accept_invitation(request, token):
    """Public: the invited person chooses a password. Nothing is created unless all is valid."""
    try:
        invitation = invitations.find(token)
    except invitations.InvitationError as error:
        return render(
            request, "portal/accounts/invitation_invalid.html", {"error": error}, status=410
        )
    form = AcceptInvitationForm(request.POST or None, initial={"email": ""})
    if request.method == "POST" and form.is_valid():
        try:
            invitations.accept(
                token,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except invitations.InvitationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your account is ready. Sign in with your new password."))
            return redirect("account_login")
    return render(
        request, "portal/accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Any signed-in user: the interface language and the time zone they read the portal in."""
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            response = redirect("account_preferences")
            # The new choices apply at once: the confirmation is already in the new language.
            if user.preferred_language:
                apply_preferred_language(request, response, user)
            else:
                forget_language_choice(request, response)
            messages.success(request, _("Your preferences are saved."))
            return response
        status = 400
    else:
        status = 200
    return render(request, "portal/accounts/preferences.html", {"form": form}, status=status)


def invitation_index(request):
    """Admin: every invitation with its state, a form to invite an address, resend and revoke."""
    if not is_secretariat(request.user):
        return deny(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invite(
                form.cleaned_data["email"], invited_by=request.user, name=form.cleaned_data["name"]
            )
        except invitations.InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, _("Invitation sent to %s.") % form.cleaned_data["email"])
            return redirect("portal_invitations")
    page = Paginator(Invitation.objects.select_related("invited_by", "user"), 50).get_page(
        request.GET.get("p")
    )
    return render(request, "portal/admin/invitations.html", {"form": form, "page": page})


@require_POST
def invitation_action(request, pk, action):
    if not is_secretariat(request.user):
        return deny(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        if action == "resend":
            invitations.resend(invitation, by=request.user)
            messages.success(request, _("A new link was sent to %s.") % invitation.email)
        else:
            invitations.revoke(invitation, by=request.user)
            messages.success(request, _("The invitation to %s was revoked.") % invitation.email)
    except invitations.InvitationError as error:
        messages.error(request, str(error))
    return redirect(reverse("portal_invitations"))
