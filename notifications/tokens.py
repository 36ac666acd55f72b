"""
Signed links in emails. They carry ids only and are signed with the site's secret (django.core.
signing), each purpose under its own salt so that one kind of link can never be replayed as
another. They authorise one narrow action; they sign nobody in.
"""

from django.core import signing

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
CONFIRM_ENTRY_SALT = "notifications.confirm-entry"
# A directory confirmation link is valid for a month; the next yearly reminder brings a new one.
CONFIRM_ENTRY_MAX_AGE = 60 * 60 * 24 * 30


class InvalidLink(Exception):
    """The link was tampered with, or is not a link of this kind."""


class ExpiredLink(InvalidLink):
    """The link was genuine but is too old."""


def unsubscribe_token(user, scope):
    """`scope` says what the link switches off: "subscription", "meetings", "action_points",
    "directory" or "saved_search:<id>"."""
    return signing.dumps({"u": user.pk, "s": scope}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(user id, scope). Unsubscribe links never expire: an old email must still work."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidLink from exc


def confirm_entry_token(person):
    return signing.dumps({"p": person.pk}, salt=CONFIRM_ENTRY_SALT)


def read_confirm_entry_token(token):
    """The person id, or InvalidLink / ExpiredLink."""
    try:
        data = signing.loads(token, salt=CONFIRM_ENTRY_SALT, max_age=CONFIRM_ENTRY_MAX_AGE)
        return int(data["p"])
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidLink from exc


FRESHNESS_SALT = "notifications.freshness-campaign"
# Long enough to answer after a holiday; the reminder carries a new link.
FRESHNESS_MAX_AGE = 60 * 60 * 24 * 60


def freshness_token(campaign_id, person_id):
    """The confirm-or-correct link of one person in one campaign. Names both, and nothing else."""
    return signing.dumps({"c": campaign_id, "p": person_id}, salt=FRESHNESS_SALT)


def read_freshness_token(token):
    """(campaign id, person id), or InvalidLink / ExpiredLink."""
    try:
        data = signing.loads(token, salt=FRESHNESS_SALT, max_age=FRESHNESS_MAX_AGE)
        return int(data["c"]), int(data["p"])
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidLink from exc
