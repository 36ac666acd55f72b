from portal import access


def portal(request):
    """Exposes the viewer's tier to templates (navigation, badges); asks the policy once."""
    user = getattr(request, "user", None)
    return {
        "viewer_is_member": access.is_member(user),
        "viewer_is_secretariat": access.is_secretariat(user),
    }
