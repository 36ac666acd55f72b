"""The demo member follows a few topics in the weekly digest. Idempotent."""

from portal.models import Topic

from .models import Frequency, Subscription

DEMO_TOPICS = 3


def seed(context):
    subscription, _created = Subscription.objects.get_or_create(
        user=context.member_user, defaults={"frequency": Frequency.WEEKLY}
    )
    topics = list(Topic.objects.order_by("name")[:DEMO_TOPICS])
    subscription.topics.set(topics)
    context.stdout.write(
        f"  {context.member_user.email} follows {len(topics)} topics in the weekly digest."
    )
