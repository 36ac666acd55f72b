"""
The portal's part of the demo network: the site's name and settings, the home page and the two
demo accounts. Each domain app adds its own content in its `demo.py` (see seed_demo).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wagtail.models import Site

from portal.access import MEMBERS_GROUP, SECRETARIAT_GROUP
from portal.accounts.groups import ensure_groups
from portal.models import HomePage, NetworkSettings

NETWORK_NAME = "Regional Network of National Anti-Trafficking Coordinators"
SECRETARIAT_EMAIL = "secretariat@demo.test"
MEMBER_EMAIL = "member@demo.test"

INTRODUCTION = (
    "<p>The network brings together the national anti-trafficking coordinators of the region, "
    "their deputies and referral focal points. This portal holds the guidance and good practice "
    "the network produces, the records of its meetings and decisions, and the directory of who "
    "to call in each country when a presumed victim must be referred across a border.</p>"
)


def seed(context):
    """Build the site, its settings and the demo accounts. Idempotent."""
    ensure_groups()
    site = Site.objects.get(is_default_site=True)
    home = HomePage.objects.first()
    home.title = "Home"
    home.introduction = INTRODUCTION
    home.save_revision().publish()
    site.root_page = home
    site.site_name = NETWORK_NAME
    site.save()

    network_settings = NetworkSettings.for_site(site)
    network_settings.network_name = NETWORK_NAME
    network_settings.short_name = "RNNAC"
    network_settings.secretariat_email = SECRETARIAT_EMAIL
    network_settings.secretariat_phone = "+00 100 200 300"
    network_settings.secretariat_address = "Network secretariat\n1 Example Square\nDemo City"
    network_settings.footer_text = "A demonstration network with fictional people and content."
    network_settings.save()

    context.site = site
    context.home = home
    context.secretariat_user = _account(
        context, SECRETARIAT_EMAIL, SECRETARIAT_GROUP, "Sam", "Secretariat", staff=True
    )
    context.member_user = _account(context, MEMBER_EMAIL, MEMBERS_GROUP, "Mira", "Member")


def _account(context, email, group_name, first_name, last_name, staff=False):
    from allauth.account.models import EmailAddress

    User = get_user_model()
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    user.is_staff = staff
    user.is_active = True
    if created or context.password_given:
        user.set_password(context.password)
    user.save()
    user.groups.add(Group.objects.get(name=group_name))
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if created and not context.password_given:
        context.announce(f"Created {email} with password: {context.password}")
    elif created or context.password_given:
        context.announce(f"{email} can sign in with the given password.")
    return user
