"""What the library contributes to the referral pathway: the guidance shown beside referral
contacts and the pairs of countries bound by an agreement. Each asks the access policy and runs a
fixed number of queries."""

import itertools

from django.db.models import Exists, F, OuterRef, Prefetch, Value

from network.models import Country
from network.referral import ReferralResource, Scope

REFERRAL_TOPIC = "referral"
REFERRAL_COUNT = 10
# The resource type of bilateral and multilateral agreements, memoranda and protocols.
AGREEMENT = "agreement"


def referral_guidance(countries, user, *, national_sops=(), first_topics=()):
    """The live, current resources `user` may see that apply to a referral between `countries`
    (Country objects or ISO codes):

    - regional guidance on referral: tagged with no country, so it applies to every pair;
    - national guidance on referral of each country;
    - the national SOPs named by the countries' referral profiles (`national_sops`, page ids);
    - the agreements binding every one of `countries` (an agreement of other pairs never).

    Within each part, resources with a topic of `first_topics` (a child's case: "children") come
    first, then the newest. At most REFERRAL_COUNT per part, in a fixed number of queries
    (one per part and country, then the resources with their countries and topics)."""
    from library.models import ResourcePage

    codes = [getattr(country, "iso_code", country).upper() for country in countries]
    if not codes and not national_sops:
        return []
    country_links = ResourcePage.countries.through.objects.filter(resourcepage_id=OuterRef("pk"))
    topic_links = ResourcePage.topics.through.objects.filter(resourcepage_id=OuterRef("pk"))
    visible = ResourcePage.objects.visible_to(user).current_for(user)
    first = (
        Exists(topic_links.filter(topic__slug__in=first_topics)) if first_topics else Value(False)
    )
    # Undated resources last on every database (PostgreSQL puts NULL first when descending).
    ordered = visible.annotate(first=first).order_by(
        "-first", F("published").desc(nulls_last=True), "title"
    )
    guidance = ordered.filter(Exists(topic_links.filter(topic__slug=REFERRAL_TOPIC))).exclude(
        resource_type=AGREEMENT
    )

    def ids(queryset):
        return list(queryset.values_list("pk", flat=True)[:REFERRAL_COUNT])

    regional = ids(guidance.exclude(Exists(country_links)))
    national = {
        code: ids(guidance.filter(Exists(country_links.filter(country__iso_code=code))))
        for code in codes
    }
    sops = set(ids(visible.filter(pk__in=list(national_sops)))) if national_sops else set()
    agreements = []
    if len(codes) > 1:
        binding = ordered.filter(resource_type=AGREEMENT)
        for code in codes:
            binding = binding.filter(Exists(country_links.filter(country__iso_code=code)))
        agreements = ids(binding)

    scopes = dict.fromkeys(regional, Scope.REGIONAL)
    for pk in [pk for part in national.values() for pk in part] + list(sops):
        scopes.setdefault(pk, Scope.NATIONAL)
    scopes.update(dict.fromkeys(agreements, Scope.AGREEMENT))
    resources = ResourcePage.objects.filter(pk__in=list(scopes)).prefetch_related(
        "countries", "topics"
    )
    by_pk = {resource.pk: resource for resource in resources}
    order = [*regional, *sorted(sops), *(pk for part in national.values() for pk in part)]
    order = list(dict.fromkeys([*order, *agreements]))
    return [
        _referral_resource(by_pk[pk], scopes[pk], is_national_sop=pk in sops)
        for pk in order
        if pk in by_pk
    ]


def _referral_resource(resource, scope, is_national_sop):
    return ReferralResource(
        title=resource.title,
        url=resource.url or "",
        kind_label=str(resource.get_resource_type_display()),
        audience=resource.audience,
        countries=tuple(country.iso_code for country in resource.countries.all()),
        scope=scope,
        topics=tuple(topic.slug for topic in resource.topics.all()),
        is_national_sop=is_national_sop,
        published=resource.published,
    )


def agreement_pairs(user):
    """Every pair of countries (a frozenset of two ISO codes) bound by a live, current agreement
    `user` may see; a multilateral agreement binds each pair of its countries. Two queries."""
    from library.models import ResourcePage

    agreements = (
        ResourcePage.objects.visible_to(user)
        .current_for(user)
        .filter(resource_type=AGREEMENT)
        .only("pk")
        .prefetch_related(Prefetch("countries", queryset=Country.objects.only("iso_code")))
    )
    pairs = set()
    for agreement in agreements:
        codes = sorted({country.iso_code for country in agreement.countries.all()})
        pairs |= {frozenset(pair) for pair in itertools.combinations(codes, 2)}
    return pairs
