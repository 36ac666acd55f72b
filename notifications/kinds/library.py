"""New or updated guidance matching a member's subscription: as it happens, or in the digest."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library.models import ResourcePage, ResourceType
from portal.access import may_open

from ..messages import Message, builder, event_ids, subscription_of
from ..models import Delivery, Frequency, Subscription
from .digest import DigestItem, digest_section

RESOURCE_TYPE_CHOICES = ResourceType.choices


def matches(subscription, resource, topic_ids, country_ids):
    """Whether `resource` (with its topic and country ids) is something `subscription` asked
    for. A subscription naming nothing and not asking for everything matches nothing."""
    if subscription.everything:
        return True
    return bool(
        topic_ids & {topic.pk for topic in subscription.topics.all()}
        or country_ids & {country.pk for country in subscription.countries.all()}
        or resource.resource_type in (subscription.resource_types or [])
    )


def _ids(resource):
    return (
        set(resource.topics.values_list("pk", flat=True)),
        set(resource.countries.values_list("pk", flat=True)),
    )


def immediate_subscribers(resource):
    """Ids of active users with immediate alerts whose subscription matches `resource`."""
    topic_ids, country_ids = _ids(resource)
    subscriptions = Subscription.objects.filter(
        frequency=Frequency.IMMEDIATE, user__is_active=True
    ).prefetch_related("topics", "countries")
    return [
        subscription.user_id
        for subscription in subscriptions
        if matches(subscription, resource, topic_ids, country_ids)
    ]


def guidance_key(resource, revision_id):
    # Each published revision is news ("new or updated"); re-sending the same one is not.
    return f"resource:{resource.pk}:{revision_id}"


@builder(Delivery.Kind.GUIDANCE)
def guidance(delivery, recipient):
    from ..sending import absolute_url

    resource = ResourcePage.objects.filter(pk=event_ids(delivery)[1]).first()
    if not may_open(recipient, resource):
        return None
    subscription = subscription_of(recipient)
    if subscription.frequency != Frequency.IMMEDIATE or not matches(
        subscription, resource, *_ids(resource)
    ):
        return None
    return Message(
        subject=_("New guidance: %(title)s") % {"title": resource.title},
        template="notifications/email/guidance",
        context={
            "resource": resource,
            "resource_url": absolute_url(resource.url) if resource.url else "",
            # Named in the recipient's language (the message is built in it).
            "topics": ", ".join(topic.label for topic in resource.topics.all()),
            "countries": ", ".join(country.label for country in resource.countries.all()),
        },
        unsubscribe_scope="subscription",
    )


@digest_section(gettext_lazy("New and updated guidance"))
def guidance_section(recipient, subscription, since, until):
    from ..sending import absolute_url

    if subscription.frequency != Frequency.WEEKLY:
        return []
    resources = (
        ResourcePage.objects.visible_to(recipient)
        .filter(last_published_at__gte=since, last_published_at__lt=until)
        .prefetch_related("topics", "countries")
        .order_by("-last_published_at")
    )
    items = []
    for resource in resources:
        topic_ids = {topic.pk for topic in resource.topics.all()}
        country_ids = {country.pk for country in resource.countries.all()}
        if matches(subscription, resource, topic_ids, country_ids):
            items.append(
                DigestItem(
                    title=resource.title,
                    url=absolute_url(resource.url) if resource.url else "",
                    audience=resource.audience,
                    summary=resource.summary,
                    date=resource.published,
                )
            )
    return items
