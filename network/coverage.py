"""
The secretariat's coverage report of the referral pathway: for each country of the network and
each TRM procedure, whether a responsible institution can be reached (a phone or an email, and
confirmed in the last 12 months); which contacts are stale; which countries have no contact
answering at any hour; which pairs of countries no agreement binds.

A working contact is judged on the fields themselves, whatever their audience: the report is
the secretariat's, who sees every tier (the admin view asks the policy before building it). A
fixed number of queries, whatever the number of countries and institutions.
"""

import itertools
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from network.models import Country, Institution, Procedure
from network.referral import agreement_pairs


class Status:
    OK = "ok"
    STALE = "stale"
    NO_CONTACT = "no_contact"
    MISSING = "missing"

    LABELS = {
        OK: _("Covered"),
        STALE: _("Only stale contacts"),
        NO_CONTACT: _("No phone or email"),
        MISSING: _("No institution"),
    }


@dataclass
class Cell:
    procedure: str
    status: str
    institutions: list = field(default_factory=list)

    @property
    def label(self):
        return Status.LABELS[self.status]

    @property
    def is_gap(self):
        return self.status != Status.OK


@dataclass
class CountryCoverage:
    country: object
    cells: list  # Cell per procedure, in TRM order
    stale: list  # Institution
    has_24_7: bool
    contact_point: object  # Institution or None

    @property
    def gaps(self):
        return [cell for cell in self.cells if cell.is_gap]


@dataclass
class Coverage:
    countries: list  # CountryCoverage of the network's countries
    outside: list  # CountryCoverage of countries outside the network (contact point only)
    pairs_without_agreement: list  # (Country, Country)

    @property
    def stale(self):
        return [item for row in self.countries + self.outside for item in row.stale]

    @property
    def without_24_7(self):
        return [row.country for row in self.countries if not row.has_24_7]


def _reachable(institution):
    return bool(institution.phone or institution.email)


def _cell(procedure, institutions):
    responsible = [item for item in institutions if item.serves(procedure)]
    if not responsible:
        status = Status.MISSING
    elif not any(_reachable(item) for item in responsible):
        status = Status.NO_CONTACT
    elif all(item.is_stale for item in responsible if _reachable(item)):
        status = Status.STALE
    else:
        status = Status.OK
    return Cell(procedure.value, status, responsible)


def coverage_report(user):
    """The coverage of every country, as the secretariat `user` sees it. Three queries: the
    countries, their institutions, and the agreements (through the library's provider)."""
    countries = list(Country.objects.order_by("name"))
    by_country = {country.pk: [] for country in countries}
    for institution in Institution.objects.order_by("name").select_related("country"):
        by_country[institution.country_id].append(institution)
    rows, outside = [], []
    for country in countries:
        institutions = by_country[country.pk]
        row = CountryCoverage(
            country=country,
            cells=[_cell(procedure, institutions) for procedure in Procedure],
            stale=[item for item in institutions if item.is_stale],
            has_24_7=any(item.available_24_7 and item.phone for item in institutions),
            contact_point=next((item for item in institutions if item.is_contact_point), None),
        )
        (rows if country.in_network else outside).append(row)
    bound = agreement_pairs(user)
    network = [row.country for row in rows]
    missing = [
        (first, second)
        for first, second in itertools.combinations(network, 2)
        if frozenset((first.iso_code, second.iso_code)) not in bound
    ]
    return Coverage(countries=rows, outside=outside, pairs_without_agreement=missing)


def coverage_csv_rows(coverage):
    """The report as rows for a CSV file: a header, then one row per country."""
    header = [
        str(_("Country")),
        str(_("ISO code")),
        *(str(procedure.label) for procedure in Procedure),
        str(_("24/7 contact")),
        str(_("Stale contacts")),
        str(_("Countries without an agreement")),
    ]
    unbound = {}
    for first, second in coverage.pairs_without_agreement:
        unbound.setdefault(first.pk, []).append(second.iso_code)
        unbound.setdefault(second.pk, []).append(first.iso_code)
    rows = [header]
    for row in coverage.countries:
        rows.append(
            [
                row.country.label,
                row.country.iso_code,
                *(str(cell.label) for cell in row.cells),
                str(_("yes") if row.has_24_7 else _("no")),
                "; ".join(item.name for item in row.stale),
                " ".join(sorted(unbound.get(row.country.pk, []))),
            ]
        )
    return rows
