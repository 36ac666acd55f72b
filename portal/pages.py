"""Base classes for pages whose content is addressed to an audience (see portal.access)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.cache import patch_cache_control

from portal.access import Audience, audience_field, can_see


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

    def serve(self, request, *args, **kwargs):
        if not can_see(request.user, self.audience):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        response = super().serve(request, *args, **kwargs)
        if self.is_restricted:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_sitemap_urls(self, request=None):
        if self.is_restricted:
            return []
        return super().get_sitemap_urls(request)
