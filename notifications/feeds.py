"""
A member's personal Atom feed, "new to you": the resources and meetings that became visible to
them (published, or widened to their tier), latest first, whatever their own dates. The URL holds
a revocable token (FeedToken) since feed readers carry no session; the token stands for the user
only while they are a member, and never above the member tier (portal.access.as_token_holder).
"""

from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from library.feeds import xml_text
from library.models import ResourcePage
from meetings.models import MeetingPage
from portal.access import as_token_holder, audience_of, is_member

from .models import FeedToken, VisibleSince

FEED_SIZE = 50


def new_to_you(user, limit=FEED_SIZE):
    """The live resources and meetings `user` may see, latest to become visible to them first,
    each with `visible_since`. Two queries."""
    rows = VisibleSince.objects.filter(tier=str(audience_of(user)), page_id=OuterRef("pk"))
    since = Subquery(rows.values("since")[:1])
    items = []
    for model in (ResourcePage, MeetingPage):
        items += list(
            model.objects.visible_to(user)
            .annotate(visible_since=since)
            .filter(visible_since__isnull=False)
            .order_by("-visible_since", "-pk")[:limit]
        )
    items.sort(key=lambda item: (item.visible_since, item.pk), reverse=True)
    return items[:limit]


class PersonalFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, request, token):
        self.request = request
        holder = FeedToken.objects.select_related("user").filter(token=token).first()
        if holder is None or not holder.user.is_active or not is_member(holder.user):
            raise Http404
        return as_token_holder(holder.user)

    def title(self, user):
        return _("New to you in the network portal")

    def link(self, user):
        return "/"

    def subtitle(self, user):
        return _("Guidance and meetings, as they become visible to you.")

    def items(self, user):
        return new_to_you(user)

    def item_title(self, item):
        return xml_text(item.title)

    def item_description(self, item):
        if isinstance(item, MeetingPage):
            return xml_text(strip_tags(item.public_summary))
        return xml_text(item.summary)

    def item_link(self, item):
        return item.get_url(self.request)

    def item_guid(self, item):
        kind = "meeting" if isinstance(item, MeetingPage) else "resource"
        return f"{kind}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.visible_since

    def item_updateddate(self, item):
        return item.visible_since
