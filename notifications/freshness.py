"""
The rules of freshness campaigns (models in notifications.campaigns), asked by the admin views,
the public confirm-or-correct page, the tasks and the message builders alike:

- who a selection matches (`matching_people`): active entries, by country, current role and
  months since the last confirmation, that can be reached by email (the entry's first address,
  else its account's): people without an account are included;
- starting (`start_campaign`): the campaign, its recipients and the intent to send are written in
  one transaction (portal.outbox); the task claims one ledger row per person (`claim_messages`);
- reminding once (`request_reminder`): one conditional update decides, so two clicks remind once;
  the reminder goes to those who had the request and have not answered (`claim_reminders`);
- answering (`confirm`, `correct`): through the signed link. A correction is stored as a note for
  the secretariat to apply: the link signs nobody in, so a forwarded or leaked link can never
  rewrite a directory entry; people with an account may also correct it themselves after
  signing in. Answers are added, never rewritten (CampaignAnswer): a later answer cannot erase a
  correction nor re-open one the secretariat applied, and a link takes at most MAX_ANSWERS, so a
  replayed link cannot flood the secretariat's list. A confirmation through a link is the
  link's, logged as such, never credited to whoever is signed in (`confirm_through_link`).
"""

import calendar
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from network.models import Mandate, Person, PersonEmail
from portal import outbox

from .campaigns import CampaignAnswer, CampaignRecipient, FreshnessCampaign
from .models import Delivery

# Shown in the preview before starting; the campaign's page lists everyone.
PREVIEW_SIZE = 50
MAX_MONTHS = 120
# Answers one link takes. A person may change their mind or add to a correction a few times;
# past that, a link (a bearer token, valid 60 days) only adds to the secretariat's list, which a
# forwarded or leaked one must not be able to fill. Identical repeats do not count.
MAX_ANSWERS = 5
# The audit log's action for a confirmation through a signed link (registered in wagtail_hooks).
LINK_CONFIRM = "notifications.link_confirm"


class AlreadyReminded(Exception):
    """The campaign's one reminder was already requested."""


class NobodyToRemind(Exception):
    """Everyone who got the request has answered (or confirmed their entry since)."""


class LinkUsedUp(Exception):
    """The link already took MAX_ANSWERS answers; nothing more is recorded through it."""


def months_before(moment, months):
    """`moment` `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + year, month + 1
    return moment.replace(year=year, month=month, day=min(moment.day, _days_in(year, month)))


def _days_in(year, month):
    return calendar.monthrange(year, month)[1]


def reachable():
    """People a message can reach: an address in their entry, or an active account."""
    return Q(Exists(PersonEmail.objects.filter(person=OuterRef("pk")))) | Q(user__is_active=True)


def selected_people(countries=(), roles=(), months=0, now=None):
    """Active people matching the criteria, reachable or not. `countries`: Country objects or
    ids (none: every country); `roles`: Mandate.Role values held now (none: any); `months`: not
    confirmed for that many months (0: whenever)."""
    people = Person.objects.filter(is_active=True)
    if countries:
        people = people.filter(country__in=countries)
    if roles:
        holders = Mandate.objects.current().filter(role__in=roles).values("person_id")
        people = people.filter(pk__in=holders)
    if months:
        threshold = months_before(now or timezone.now(), months)
        people = people.filter(Q(last_confirmed__isnull=True) | Q(last_confirmed__lt=threshold))
    return people


def matching_people(countries=(), roles=(), months=0, now=None):
    """The people a campaign with these criteria asks: selected and reachable."""
    return selected_people(countries, roles, months, now).filter(reachable())


def preview(countries=(), roles=(), months=0):
    """(number asked, the first PREVIEW_SIZE of them with country and organisation, number
    selected but unreachable): three queries."""
    people = matching_people(countries, roles, months)
    count = people.count()
    first = list(
        people.select_related("country", "organisation").order_by(
            "family_name", "given_name", "pk"
        )[:PREVIEW_SIZE]
    )
    unreachable = selected_people(countries, roles, months).exclude(reachable()).count()
    return count, first, unreachable


def address_of(person):
    """Where a campaign's message to `person` goes: the entry's first address, else its active
    account's; "" when neither. Uses prefetched emails when present."""
    emails = sorted(person.emails.all(), key=lambda email: (email.sort_order or 0, email.pk))
    if emails:
        return emails[0].address
    if person.user_id is not None and person.user.is_active:
        return person.user.email
    return ""


def start_campaign(*, by, countries, roles, months, start_key):
    """
    Start a campaign for the people the criteria match now, and record the intent to send (in
    the same transaction, dispatched after the commit). Returns (campaign, created): a start key
    already used returns that campaign (a confirmation sent twice starts one campaign).
    """
    from .tasks import send_freshness_campaign

    existing = FreshnessCampaign.objects.filter(start_key=start_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            campaign = FreshnessCampaign.objects.create(
                started_by=by, roles=list(roles), unconfirmed_months=months, start_key=start_key
            )
            campaign.countries.set(countries)
            person_ids = matching_people(countries, roles, months).values_list("pk", flat=True)
            CampaignRecipient.objects.bulk_create(
                [CampaignRecipient(campaign=campaign, person_id=pk) for pk in person_ids],
                batch_size=1000,
            )
            outbox.enqueue(send_freshness_campaign, campaign.pk)
            _log(campaign, "notifications.campaign_start", by)
    except IntegrityError:
        # The same confirmation, sent twice at once: the other request started it.
        existing = FreshnessCampaign.objects.filter(start_key=start_key).first()
        if existing is None:
            raise
        return existing, False
    return campaign, True


def new_start_key():
    return uuid.uuid4()


def request_reminder(campaign, by):
    """Record the campaign's one reminder and the intent to send it. Raises AlreadyReminded
    when it was requested before (by anyone, however close in time), NobodyToRemind when
    everyone has answered."""
    from .tasks import send_freshness_reminders

    if not to_remind(campaign).exists():
        if campaign.reminded_at is not None:
            raise AlreadyReminded
        raise NobodyToRemind
    with transaction.atomic():
        now = timezone.now()
        taken = FreshnessCampaign.objects.filter(pk=campaign.pk, reminded_at__isnull=True).update(
            reminded_at=now, reminded_by=by
        )
        if not taken:
            raise AlreadyReminded
        campaign.reminded_at, campaign.reminded_by = now, by
        outbox.enqueue(send_freshness_reminders, campaign.pk)
        _log(campaign, "notifications.campaign_remind", by)


def unanswered(campaign):
    """Recipients who gave no answer through the link and have not confirmed their entry
    otherwise (their own page, the yearly request) since the campaign started."""
    return campaign.recipients.filter(answered_at__isnull=True).exclude(
        person__last_confirmed__gte=campaign.started_at
    )


def to_remind(campaign):
    """Unanswered recipients whose request was sent: the reminder goes to them."""
    return unanswered(campaign).filter(message__status=Delivery.Status.SENT)


def claim_messages(campaign_id):
    """Claim the request of every recipient of the campaign not claimed yet, link each row to
    its recipient, and enqueue the sending after the commit. Idempotent."""
    from .sending import queue_people

    campaign = FreshnessCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    with transaction.atomic():
        recipients = campaign.recipients.filter(message__isnull=True)
        person_ids = list(recipients.values_list("person_id", flat=True))
        queue_people(Delivery.Kind.FRESHNESS, campaign.event_key, person_ids)
        _link(campaign, Delivery.Kind.FRESHNESS, "message", person_ids)
    return len(person_ids)


def claim_reminders(campaign_id):
    """Claim the reminder of every recipient still to remind, once the reminder was requested.
    Idempotent: the ledger keeps one reminder per person and campaign."""
    from .sending import queue_people

    campaign = FreshnessCampaign.objects.filter(pk=campaign_id, reminded_at__isnull=False).first()
    if campaign is None:
        return 0
    with transaction.atomic():
        person_ids = list(
            to_remind(campaign).filter(reminder__isnull=True).values_list("person_id", flat=True)
        )
        queue_people(Delivery.Kind.FRESHNESS_REMINDER, campaign.event_key, person_ids)
        _link(campaign, Delivery.Kind.FRESHNESS_REMINDER, "reminder", person_ids)
    return len(person_ids)


def _link(campaign, kind, field, person_ids):
    """Point each recipient's `field` at its ledger row: two queries per thousand people."""
    for start in range(0, len(person_ids), 1000):
        chunk = person_ids[start : start + 1000]
        rows = dict(
            Delivery.objects.filter(
                kind=kind, event_key=campaign.event_key, person_id__in=chunk
            ).values_list("person_id", "pk")
        )
        recipients = list(campaign.recipients.filter(person_id__in=chunk))
        for recipient in recipients:
            setattr(recipient, f"{field}_id", rows.get(recipient.person_id))
        CampaignRecipient.objects.bulk_update(recipients, [f"{field}_id"])


def recipient_for(campaign_id, person_id):
    """The recipient a link names, if the campaign asked that active person; else None. Its
    `answer_count` says how many answers the link took."""
    return (
        CampaignRecipient.objects.select_related("campaign", "person__user")
        .filter(campaign_id=campaign_id, person_id=person_id, person__is_active=True)
        .annotate(answer_count=Count("answers"))
        .first()
    )


def answers_left(recipient):
    """How many more answers the recipient's link takes (from `recipient_for`'s count)."""
    return max(MAX_ANSWERS - recipient.answer_count, 0)


def confirm_through_link(person, campaign=None):
    """Confirm `person`'s entry as current because its signed link said so. The link signs
    nobody in, so no account is credited (not even one signed in while the link was opened: a
    forwarded email works the same); the log says which link it was. Network's
    `Person.confirm_current` credits an account, which a link cannot name."""
    from wagtail.log_actions import log

    person.last_confirmed = timezone.now()
    person.save(update_fields=["last_confirmed"])
    data = {"campaign": campaign.pk} if campaign is not None else {}
    log(instance=person, action=LINK_CONFIRM, user=None, data=data)


def confirm(recipient):
    """The person says their entry is still correct: the entry is confirmed (and logged as
    confirmed through this campaign's link) and the answer added to the campaign's. A pending
    correction stays pending. Raises LinkUsedUp."""
    return _answer(recipient, CampaignRecipient.Answer.CONFIRMED)


def correct(recipient, note):
    """The person says something changed: their note is added, for the secretariat to apply.
    The entry itself is not changed (the link signs nobody in) nor confirmed. Raises
    LinkUsedUp."""
    return _answer(recipient, CampaignRecipient.Answer.CORRECTED, note)


def _answer(recipient, answer, note=""):
    """Add one answer (the same as the latest one again adds nothing) and keep the latest on
    the recipient. The recipient's row is locked, so that answers sent at once are counted
    one after the other."""
    with transaction.atomic():
        # Locks the recipient's row only (not its campaign's nor its person's).
        CampaignRecipient.objects.select_for_update().filter(pk=recipient.pk).exists()
        given = list(CampaignAnswer.objects.filter(recipient=recipient).order_by("given_at", "pk"))
        if given and (given[-1].answer, given[-1].note) == (answer, note):
            return given[-1]
        if len(given) >= MAX_ANSWERS:
            raise LinkUsedUp
        if answer == CampaignRecipient.Answer.CONFIRMED:
            confirm_through_link(recipient.person, recipient.campaign)
        added = CampaignAnswer.objects.create(recipient=recipient, answer=answer, note=note)
        recipient.answer, recipient.answered_at = answer, added.given_at
        CampaignRecipient.objects.filter(pk=recipient.pk).update(
            answer=answer, answered_at=added.given_at
        )
    return added


def mark_correction_applied(answer, by):
    """The secretariat applied the correction `answer`. Returns False when it is not a
    correction or was applied already (two clicks apply once)."""
    applied = CampaignAnswer.objects.filter(
        pk=answer.pk,
        answer=CampaignRecipient.Answer.CORRECTED,
        applied_at__isnull=True,
    ).update(applied_at=timezone.now(), applied_by=by)
    if applied:
        _log(answer.recipient.campaign, "notifications.campaign_correction_applied", by)
    return bool(applied)


def campaigns_with_counts():
    """Every campaign with its numbers (asked, answered, corrections to apply): one query
    whatever the number of campaigns or people. Answered counts, as `unanswered` does, those
    who confirmed their entry another way since the campaign started."""
    campaigns = FreshnessCampaign.objects.select_related("started_by")
    # Newest first, said again: Meta.ordering does not apply to an aggregated query.
    return campaigns.order_by("-started_at", "-pk").annotate(
        asked=Count("recipients", distinct=True),
        answered=Count(
            "recipients",
            filter=Q(recipients__answered_at__isnull=False)
            | Q(recipients__person__last_confirmed__gte=F("started_at")),
            distinct=True,
        ),
        # Corrections, not people: each correction is applied on its own.
        to_apply=Count(
            "recipients__answers",
            filter=Q(
                recipients__answers__answer=CampaignRecipient.Answer.CORRECTED,
                recipients__answers__applied_at__isnull=True,
            ),
            distinct=True,
        ),
    )


def _log(campaign, action, user):
    from wagtail.log_actions import log

    log(instance=campaign, action=action, user=user)
