"""The Atom feed of the newest resources the requester may see, with the listing's filters."""

import re
from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from library.listing import ResourceListing
from library.models import LibraryIndexPage

FEED_SIZE = 50
# Characters XML 1.0 cannot carry; one title holding one must not take the feed down.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(value):
    return _NOT_XML.sub("", value or "")


class ResourceFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        if request.user.is_authenticated:
            # The feed may hold members-only entries: never in a shared cache.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_object(self, request, *args, **kwargs):
        self.request = request
        index_page = LibraryIndexPage.objects.live().first()
        listing = ResourceListing(request.GET, request.user, index_page=index_page)
        listing.sort = "newest"
        return listing

    def title(self, listing):
        return _("New in the library")

    def link(self, listing):
        return "/library/"

    def subtitle(self, listing):
        # Parameters the feed did not understand are named here, since a feed has no page.
        return " ".join(listing.errors) or _("The newest guidance and good practice.")

    def items(self, listing):
        return listing.results().for_listing()[:FEED_SIZE]

    def item_title(self, item):
        return xml_text(item.title)

    def item_description(self, item):
        return xml_text(item.summary)

    def item_link(self, item):
        return item.get_url(self.request)

    def item_guid(self, item):
        return f"resource-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        if item.published:
            return timezone.make_aware(datetime.combine(item.published, time.min))
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_categories(self, item):
        return [xml_text(topic.label) for topic in item.topics.all()]
