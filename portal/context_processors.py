from portal import access


def portal(request):
    """Exposes the viewer's tier to templates (navigation, badges), asking the policy once, and
    `return_path`: where signing in or choosing a language comes back to. It is the page's own
    path and query unless the view set `request.return_path`, as a page does whose query may
    hold what a visitor typed about a case (the referral assistant)."""
    user = getattr(request, "user", None)
    return_path = getattr(request, "return_path", None)
    return {
        "viewer_is_member": access.is_member(user),
        "viewer_is_secretariat": access.is_secretariat(user),
        "return_path": return_path or request.get_full_path(),
    }
