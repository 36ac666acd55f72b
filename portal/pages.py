"""Base classes for pages whose content is addressed to an audience (see portal.access)."""

from django.db import models
from django.utils.cache import patch_cache_control

from portal.access import Audience, audience_field, can_see, deny


class AudiencePageMixin(models.Model):
    """
    A page addressed to one audience. Serving asks the policy: anonymous visitors are sent to sign
    in, signed-in users below the audience get 403. Restricted pages are kept out of the sitemap
    and out of shared caches.
    """

    audience = audience_field()

    class Meta:
        abstract = True

    @property
    def is_restricted(self):
        return self.audience != Audience.PUBLIC

    def refusal(self, request):
        """None when `request`'s user may see this page; else where to send them."""
        if can_see(request.user, self.audience):
            return None
        return deny(request)

    def serve(self, request, *args, **kwargs):
        if (refused := self.refusal(request)) is not None:
            return refused
        response = super().serve(request, *args, **kwargs)
        if self.is_restricted:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def handle_options_request(self, request, *args, **kwargs):
        """Wagtail answers OPTIONS instead of calling `serve`: the same rule applies, so that
        no method tells who may not look whether the page exists."""
        if (refused := self.refusal(request)) is not None:
            return refused
        return super().handle_options_request(request, *args, **kwargs)

    def get_sitemap_urls(self, request=None):
        if self.is_restricted:
            return []
        return super().get_sitemap_urls(request)
