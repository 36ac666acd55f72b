"""The member's subscriptions on their home-page dashboard: what they follow (topics, countries,
resource types, saved searches) and a link to manage it. Members only, like the preferences page;
four fixed queries at most."""

from django.utils.translation import gettext_lazy as _

from portal.access import is_member
from portal.home import HomeSection

SAVED_SEARCHES_ON_HOME = 5


def my_subscriptions(request):
    from .kinds.library import RESOURCE_TYPE_CHOICES
    from .models import Frequency, SavedSearch, Subscription

    user = request.user
    if not is_member(user):
        return None
    subscription = (
        Subscription.objects.filter(user=user).prefetch_related("topics", "countries").first()
    )
    saved_searches = list(SavedSearch.objects.filter(user=user)[: SAVED_SEARCHES_ON_HOME + 1])
    topics, countries, resource_types = [], [], []
    if subscription is not None:
        topics = sorted(topic.label for topic in subscription.topics.all())
        countries = sorted(country.label for country in subscription.countries.all())
        labels = dict(RESOURCE_TYPE_CHOICES)
        resource_types = [
            str(labels[value]) for value in subscription.resource_types if value in labels
        ]
    guidance_alerts = subscription is not None and subscription.frequency != Frequency.OFF
    follows_guidance = guidance_alerts and bool(
        subscription.everything or topics or countries or resource_types
    )
    return HomeSection(
        title=_("My subscriptions"),
        template="notifications/dashboard_subscriptions.html",
        context={
            "subscription": subscription,
            "everything": follows_guidance and subscription.everything,
            "topics": topics if follows_guidance else [],
            "countries": countries if follows_guidance else [],
            "resource_types": resource_types if follows_guidance else [],
            "frequency": subscription.get_frequency_display() if follows_guidance else "",
            "saved_searches": saved_searches[:SAVED_SEARCHES_ON_HOME],
            "more_searches": len(saved_searches) > SAVED_SEARCHES_ON_HOME,
            "follows_anything": follows_guidance or bool(saved_searches),
        },
        order=40,
    )
