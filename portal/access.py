"""
The one access policy. Every way out of the portal (pages, listings, search, feeds, calendars,
sitemap, downloads, exports, emails) asks here what a user may see; nothing re-implements it.

Audiences are ordered tiers: public < members < secretariat. A user sees content whose audience is
at or below their own tier.

The secretariat tier belongs to a session, not to an account alone: a secretariat account whose
sign-in has not passed the second factor (when MFA_REQUIRED_FOR_SECRETARIAT) holds the member tier
in that session, everywhere, until it does (`settle_session_tier`, run by middleware on every
request).
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

MEMBERS_GROUP = "Members"
SECRETARIAT_GROUP = "Secretariat"

_CACHE_ATTR = "_portal_audience"
# The highest tier this request's session grants, whatever the account's groups say.
_CAP_ATTR = "_portal_session_tier_cap"


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")
    SECRETARIAT = "secretariat", _("Secretariat only")


TIERS = [Audience.PUBLIC, Audience.MEMBERS, Audience.SECRETARIAT]
RANK = {audience.value: rank for rank, audience in enumerate(TIERS)}


def audience_of(user):
    """The highest tier `user` belongs to. Queries the user's groups once, then caches it on the
    user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Audience.PUBLIC
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        tier = Audience.SECRETARIAT
    else:
        names = set(user.groups.values_list("name", flat=True))
        if SECRETARIAT_GROUP in names:
            tier = Audience.SECRETARIAT
        elif MEMBERS_GROUP in names:
            tier = Audience.MEMBERS
        else:
            # Signed in but in no group (e.g. an account whose membership was withdrawn).
            tier = Audience.PUBLIC
    cap = getattr(user, _CAP_ATTR, None)
    if cap is not None and not tier_at_least(cap, tier):
        tier = cap
    setattr(user, _CACHE_ATTR, tier)
    return tier


def second_factor_passed(request):
    """Whether this session's sign-in passed a second factor: allauth records each method a
    sign-in (or a later re-authentication) used in the session."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def settle_session_tier(request):
    """Cap the request user's tier at what the session grants. Returns True when the account
    is the secretariat's but this session has not passed the second factor: it then holds the
    member tier until it does. A fixed number of queries (the groups, once)."""
    from django.conf import settings

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not settings.MFA_REQUIRED_FOR_SECRETARIAT:
        return False
    if audience_of(user) != Audience.SECRETARIAT or second_factor_passed(request):
        return False
    setattr(user, _CAP_ATTR, Audience.MEMBERS)
    forget_audience(user)
    return True


def as_token_holder(user):
    """`user` as a token URL (a personal feed, with no session) stands for them: the secretariat
    tier needs a second factor that a token cannot show, so it holds the member tier there.
    Returns the same user object, capped."""
    if audience_of(user) == Audience.SECRETARIAT:
        setattr(user, _CAP_ATTR, Audience.MEMBERS)
        forget_audience(user)
    return user


def forget_audience(user):
    """Drop the cached tier, e.g. after changing the user's groups in the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def tier_at_least(holder, tier):
    """Whether `holder` stands at or above `tier` (public < members < secretariat): the one tier
    comparison. `holder` is a tier (an Audience or its value) or a user, who holds the tier
    `audience_of` gives them. An unknown `tier` counts as the most restricted (fail closed); an
    unknown holder's tier is an error (ValueError)."""
    held = str(holder) if isinstance(holder, str) else str(audience_of(holder))
    if held not in RANK:
        raise ValueError(f"Unknown tier: {held!r}")
    return RANK[held] >= RANK.get(str(tier), RANK[Audience.SECRETARIAT])


def lowest(audiences):
    """The least restricted of `audiences` (None ignored), or None when there is none. An unknown
    audience counts as the most restricted."""
    known = [audience for audience in audiences if audience is not None]
    if not known:
        return None
    return min(known, key=_rank)


def strictest(*audiences):
    """The most restricted of `audiences`: what someone must see to see them all."""
    return max(audiences, key=_rank)


def _rank(audience):
    # An unknown audience counts as above every tier: fail closed.
    return RANK.get(str(audience), len(TIERS))


def can_see(user, audience):
    """Whether `user` may see content addressed to `audience` (an unknown one: the secretariat
    only)."""
    return tier_at_least(user, audience)


def visible_audiences(user):
    """The audience values `user` may see, for filtering querysets and search backends."""
    tier = audience_of(user)
    return [audience.value for audience in TIERS if tier_at_least(tier, audience)]


def is_member(user):
    """Members and the secretariat: everyone allowed to see members-only content."""
    return can_see(user, Audience.MEMBERS)


def is_secretariat(user):
    return can_see(user, Audience.SECRETARIAT)


def deny(request):
    """The one way to refuse a request for what its user may not see: an anonymous visitor is sent
    to sign in and brought back here after (`next`); a signed-in user gets the 403 page
    (PermissionDenied, raised: a secretariat session short of its second factor is sent to that
    step instead, see portal.middleware.SecondFactorMiddleware). So: `return deny(request)`."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def restrict_queryset(queryset, user, field="audience"):
    """Filter `queryset` to rows whose `field` holds an audience `user` may see."""
    return queryset.filter(**{f"{field}__in": visible_audiences(user)})


def audience_field(default=Audience.PUBLIC, **kwargs):
    """The model field every audience-bearing model uses, so they all read and filter alike."""
    kwargs.setdefault("verbose_name", _("audience"))
    kwargs.setdefault("help_text", _("Who may see this: everyone, members, or the secretariat."))
    return models.CharField(
        max_length=12, choices=Audience.choices, default=default, db_index=True, **kwargs
    )


# ---------------------------------------------------------------------------------- links
#
# One link rule: a link to a page is rendered only for those who may open it, that is, the page
# is live and addressed to an audience the viewer may see. Querysets say it with `.live()` and
# `restrict_queryset` (e.g. `ResourcePage.objects.visible_to`); objects already fetched (a
# prefetched relation, a foreign key) are filtered with `visible_pages`, which runs no query.
#
# A document link follows the audience the place showing it gives it (a meeting paper's own
# audience, the record's, the resource page's): that is one of the audiences whose lowest the
# download rule (library.downloads.download_audience) takes, so whoever is shown the link may
# download the file, without a download lookup per document in a list.


def link_audience(page):
    """The audience a link to `page` is addressed to: its own, public for page types that have
    none (the home page, the library's index), and the most restricted when it cannot be told
    without a query (a bare Page row of a type that has one): fail closed, never open."""
    audience = getattr(page, "audience", None)
    if audience is not None:
        return audience
    specific_class = page.specific_class
    if specific_class is None or any(
        field.name == "audience" for field in specific_class._meta.concrete_fields
    ):
        return Audience.SECRETARIAT
    return Audience.PUBLIC


def may_open(user, page):
    """Whether a link to `page` may be rendered for `user`: live, and visible to them. No query
    (the page type's content type is cached by Django)."""
    return page is not None and page.live and can_see(user, link_audience(page))


def visible_pages(pages, user):
    """The pages of `pages` (e.g. a prefetched relation's `.all()`) a link may be rendered to for
    `user`, in their order. No query of its own."""
    return [page for page in pages if may_open(user, page)]
