"""
The demo's realistic indicator set: a regional list shaped like the widely used operational
indicators (stages, dimensions, strong/medium/weak signs; the wording is the network's own), two
country versions of it (Albania's adds and drops signs; North Macedonia's, for members only,
rewords some and moves one) and its French translation. Idempotent: by the pages' and records'
external ids. A few dozen rows: nothing here grows with the demo's scale.
"""

import datetime

from library.models import Indicator, IndicatorSetItem, ResourcePage, ResourceType
from network.models import Country
from portal import bulk_publish
from portal.access import Audience
from portal.models import Language, Topic

REGIONAL_ID = "demo-indicators-regional"
SOURCE_SECTION = "Regional indicators, {heading}"

SCREENING = "Initial screening: what anyone may notice"
RECRUITMENT = "Formal identification: recruitment and deception"
CONTROL = "Formal identification: coercion and control"
CONDITIONS = "Formal identification: conditions of exploitation"
RISK = "Risk assessment before any move or return"

HEADINGS_FR = {
    SCREENING: "Premier repérage : ce que chacun peut remarquer",
    RECRUITMENT: "Identification formelle : recrutement et tromperie",
    CONTROL: "Identification formelle : contrainte et contrôle",
    CONDITIONS: "Identification formelle : conditions d'exploitation",
    RISK: "Évaluation des risques avant tout déplacement ou retour",
}

# (key, heading, stage, dimension, strength, groups, forms of exploitation, English, French)
REGIONAL = [
    (
        "R01",
        SCREENING,
        "screening",
        "coercion",
        "strong",
        [],
        [],
        "The person does not hold their own identity or travel documents: someone else keeps them.",
        "La personne n'a pas ses propres papiers d'identité ou de voyage : quelqu'un d'autre "
        "les garde.",
    ),
    (
        "R02",
        SCREENING,
        "screening",
        "coercion",
        "medium",
        [],
        [],
        "The person is accompanied, watched or answered for by someone else when speaking to "
        "officials.",
        "La personne est accompagnée, surveillée, ou quelqu'un répond à sa place face aux agents.",
    ),
    (
        "R03",
        SCREENING,
        "screening",
        "exploitation",
        "medium",
        [],
        ["labour", "domestic"],
        "The person cannot say where they live or work, or lives at the workplace.",
        "La personne ne sait pas dire où elle vit ou travaille, ou vit sur son lieu de travail.",
    ),
    (
        "R04",
        SCREENING,
        "screening",
        "coercion",
        "weak",
        [],
        [],
        "The person shows injuries, fear or anxiety, and avoids contact with officials.",
        "La personne présente des blessures, de la peur ou de l'anxiété, et évite les agents.",
    ),
    (
        "R05",
        SCREENING,
        "screening",
        "coercion",
        "strong",
        [],
        [],
        "The person says they owe a large debt to whoever arranged their travel or job.",
        "La personne dit devoir une dette importante à qui a organisé son voyage ou son emploi.",
    ),
    (
        "R06",
        SCREENING,
        "screening",
        "vulnerability",
        "strong",
        ["children"],
        [],
        "A child travels with an adult who is not a parent or legal guardian and cannot "
        "explain how they are related.",
        "Un enfant voyage avec un adulte qui n'est ni son parent ni son tuteur légal et qui ne "
        "peut expliquer leur lien.",
    ),
    (
        "R07",
        SCREENING,
        "screening",
        "exploitation",
        "medium",
        ["children"],
        ["begging", "labour"],
        "A child begs, sells small goods or works in the street during school hours.",
        "Un enfant mendie, vend de petits objets ou travaille dans la rue pendant les heures "
        "d'école.",
    ),
    (
        "R08",
        RECRUITMENT,
        "identification",
        "deception",
        "strong",
        [],
        [],
        "The person was recruited with a promise of work, study or marriage that turned out "
        "to be something else.",
        "La personne a été recrutée sur une promesse de travail, d'études ou de mariage qui "
        "s'est révélée tout autre.",
    ),
    (
        "R09",
        RECRUITMENT,
        "identification",
        "deception",
        "strong",
        ["adults"],
        ["labour"],
        "The person was misled about wages, hours, living conditions or the legal status of "
        "the job.",
        "La personne a été trompée sur le salaire, les horaires, le logement ou le statut légal "
        "de l'emploi.",
    ),
    (
        "R10",
        RECRUITMENT,
        "identification",
        "deception",
        "medium",
        [],
        ["labour"],
        "Recruitment or travel fees were charged, then deducted from earnings.",
        "Des frais de recrutement ou de voyage ont été exigés, puis retenus sur les gains.",
    ),
    (
        "R11",
        RECRUITMENT,
        "identification",
        "vulnerability",
        "medium",
        [],
        [],
        "The recruiter took advantage of the person's poverty, irregular status, disability "
        "or dependency.",
        "Le recruteur a profité de la pauvreté, de la situation irrégulière, du handicap ou de "
        "la dépendance de la personne.",
    ),
    (
        "R12",
        RECRUITMENT,
        "identification",
        "deception",
        "weak",
        [],
        [],
        "A third party arranged and paid for the journey and chose the destination.",
        "Un tiers a organisé et payé le voyage et choisi la destination.",
    ),
    (
        "R13",
        CONTROL,
        "identification",
        "coercion",
        "strong",
        [],
        [],
        "The person was threatened with violence, with denunciation to the authorities, or "
        "with harm to their family.",
        "La personne a été menacée de violences, de dénonciation aux autorités ou de "
        "représailles contre sa famille.",
    ),
    (
        "R14",
        CONTROL,
        "identification",
        "coercion",
        "strong",
        [],
        [],
        "The person may not move freely: locked in, escorted, or forbidden to leave the "
        "accommodation.",
        "La personne ne peut pas circuler librement : enfermée, escortée ou interdite de "
        "quitter le logement.",
    ),
    (
        "R15",
        CONTROL,
        "identification",
        "coercion",
        "strong",
        [],
        ["labour", "sexual", "begging"],
        "Earnings are withheld, confiscated or paid to someone else.",
        "Les gains sont retenus, confisqués ou versés à quelqu'un d'autre.",
    ),
    (
        "R16",
        CONTROL,
        "identification",
        "coercion",
        "medium",
        [],
        [],
        "The person's phone, or contact with family, is controlled or forbidden.",
        "Le téléphone de la personne, ou ses contacts avec sa famille, sont contrôlés ou "
        "interdits.",
    ),
    (
        "R17",
        CONTROL,
        "identification",
        "coercion",
        "medium",
        [],
        ["sexual", "criminal"],
        "Drugs, alcohol or emotional dependence are used to keep the person compliant.",
        "Des drogues, de l'alcool ou une dépendance affective servent à rendre la personne docile.",
    ),
    (
        "R18",
        CONDITIONS,
        "identification",
        "exploitation",
        "medium",
        ["adults"],
        ["labour", "domestic"],
        "The person works excessively long hours without rest days or leave.",
        "La personne travaille des heures excessives sans jour de repos ni congé.",
    ),
    (
        "R19",
        CONDITIONS,
        "identification",
        "exploitation",
        "strong",
        [],
        ["sexual", "begging", "criminal"],
        "The person must reach a daily quota of money, clients or goods and is punished when "
        "it is not met.",
        "La personne doit atteindre un quota quotidien d'argent, de clients ou de marchandises "
        "et est punie sinon.",
    ),
    (
        "R20",
        CONDITIONS,
        "identification",
        "exploitation",
        "weak",
        [],
        ["labour"],
        "The person lives in degrading, overcrowded or unsafe housing provided by the employer.",
        "La personne vit dans un logement dégradant, surpeuplé ou dangereux fourni par "
        "l'employeur.",
    ),
    (
        "R21",
        CONDITIONS,
        "identification",
        "exploitation",
        "strong",
        [],
        ["criminal"],
        "The person is made to commit offences, such as theft or carrying drugs, for others' "
        "profit.",
        "La personne est contrainte de commettre des infractions, comme des vols ou le "
        "transport de drogue, au profit d'autrui.",
    ),
    (
        "R22",
        CONDITIONS,
        "identification",
        "exploitation",
        "strong",
        ["children"],
        ["marriage"],
        "A child has been married, or promised in marriage, without their consent.",
        "Un enfant a été marié, ou promis en mariage, sans son consentement.",
    ),
    (
        "R23",
        RISK,
        "risk_assessment",
        "coercion",
        "strong",
        [],
        [],
        "The exploiters know the person's home address or where family members live.",
        "Les exploiteurs connaissent l'adresse de la personne ou le lieu de vie de sa famille.",
    ),
    (
        "R24",
        RISK,
        "risk_assessment",
        "coercion",
        "strong",
        [],
        [],
        "The person or their family still owes money to the exploiters or the recruiter's network.",
        "La personne ou sa famille doit encore de l'argent aux exploiteurs ou au réseau du "
        "recruteur.",
    ),
    (
        "R25",
        RISK,
        "risk_assessment",
        "vulnerability",
        "strong",
        ["children"],
        [],
        "Family members took part in the recruitment or profited from the exploitation.",
        "Des membres de la famille ont participé au recrutement ou tiré profit de l'exploitation.",
    ),
    (
        "R26",
        RISK,
        "risk_assessment",
        "vulnerability",
        "medium",
        [],
        [],
        "The person was returned before and was trafficked again.",
        "La personne a déjà été renvoyée et a de nouveau été victime de traite.",
    ),
    (
        "R27",
        RISK,
        "risk_assessment",
        "vulnerability",
        "medium",
        ["children"],
        [],
        "No safe accommodation, guardian or follow-up service is available where the person "
        "would return.",
        "Aucun hébergement sûr, tuteur ou suivi n'est disponible au lieu de retour.",
    ),
    (
        "R28",
        RISK,
        "risk_assessment",
        "coercion",
        "medium",
        [],
        [],
        "The person fears reprisals for having spoken to the police or the identification "
        "authority.",
        "La personne craint des représailles pour avoir parlé à la police ou à l'autorité "
        "d'identification.",
    ),
    (
        "R29",
        RISK,
        "risk_assessment",
        "vulnerability",
        "medium",
        ["asylum"],
        [],
        "The person is in the asylum procedure, and a return would bring them back within "
        "the exploiters' reach.",
        "La personne est en procédure d'asile, et un retour la remettrait à portée des "
        "exploiteurs.",
    ),
]

# Albania's version: drops two weak signs, adds two of its own.
DROPPED_BY_FIRST = {"R12", "R20"}
ADDED_BY_FIRST = [
    (
        "AL01",
        SCREENING,
        "screening",
        "exploitation",
        "medium",
        ["adults"],
        ["labour"],
        "The person was hired through a seasonal farm contractor who also provides the "
        "transport and the housing.",
        "R04",  # placed after this regional row
    ),
    (
        "AL02",
        RECRUITMENT,
        "identification",
        "deception",
        "strong",
        [],
        ["sexual"],
        "The person answered an online job or modelling advertisement that later demanded "
        "sexual services.",
        "R11",
    ),
]
# North Macedonia's version (members only): rewords three signs and moves one.
REWORDED_BY_SECOND = {
    "R03": "The person cannot name the street, town or municipality where they live or work, "
    "or sleeps at the workplace.",
    "R09": "The person was misled about pay, hours, housing or the work permit, whether the "
    "offer was written or spoken.",
    "R19": "The person has to bring back a fixed sum or a number of clients each day and is "
    "punished when short.",
}
MOVED_BY_SECOND = {"R05": CONTROL}


def seed_indicators(library, stdout=None):
    """The regional set, its two country versions and its French translation. Idempotent."""
    if ResourcePage.objects.filter(external_id=REGIONAL_ID).exists():
        return
    languages = Language.objects.in_bulk(["en", "fr"])
    english, french = languages.get("en"), languages.get("fr")
    countries = Country.objects.in_bulk(["AL", "MK"], field_name="iso_code")
    topic = Topic.objects.filter(slug="identification").first()

    records = {}
    for key, heading, stage, dimension, strength, groups, forms, text, _fr in REGIONAL:
        records[key] = _record(
            f"demo-ind-{key}", text, heading, stage, dimension, strength, groups, forms, english
        )

    regional = _page(
        REGIONAL_ID,
        "Regional indicators for the identification of trafficked persons",
        "The network's regional list of signs for initial screening, formal identification "
        "and risk assessment, each marked strong, medium or weak. One sign alone proves "
        "nothing: a case is weighed on the combination.",
        [english],
        topic,
        version="2024",
        published=datetime.date(2024, 3, 18),
        items=[(heading, records[key], None) for key, heading, *_rest in REGIONAL],
    )
    bulk_publish.create_published(library, [regional])

    pages = []
    first = countries.get("AL")
    if first is not None:
        # {regional row it follows: (heading, record)}
        added = {
            after: (
                heading,
                _record(
                    f"demo-ind-{key}",
                    text,
                    heading,
                    stage,
                    dimension,
                    strength,
                    groups,
                    forms,
                    english,
                    section=f"National indicators of {first.name}, {heading}",
                ),
            )
            for key, heading, stage, dimension, strength, groups, forms, text, after in (
                ADDED_BY_FIRST
            )
        }
        items = []
        for key, heading, *_rest in REGIONAL:
            if key not in DROPPED_BY_FIRST:
                items.append((heading, records[key], None))
            if key in added:
                items.append((*added[key], None))
        pages.append(
            _page(
                "demo-indicators-al",
                f"National indicators of trafficking: {first.name}",
                f"{first.name}'s version of the regional indicators, adopted by the national "
                "referral mechanism: two signs added from national cases, two weak signs left "
                "out.",
                [english],
                topic,
                version="2025",
                published=datetime.date(2025, 1, 20),
                items=items,
                derived_from=regional,
                country=first,
            )
        )
    second = countries.get("MK")
    if second is not None:
        items = []
        moved = []
        for key, heading, stage, dimension, strength, groups, forms, _text, _fr in REGIONAL:
            if key in REWORDED_BY_SECOND:
                reworded = _record(
                    f"demo-ind-MK-{key}",
                    REWORDED_BY_SECOND[key],
                    heading,
                    stage,
                    dimension,
                    strength,
                    groups,
                    forms,
                    english,
                    section=f"National indicators of {second.name}, {heading}",
                )
                items.append((heading, reworded, records[key]))
            elif key in MOVED_BY_SECOND:
                moved.append((MOVED_BY_SECOND[key], records[key], None))
            else:
                items.append((heading, records[key], None))
        # A moved sign goes to the end of its new section.
        for new_heading, record, rewords in moved:
            last = max(i for i, (h, _r, _w) in enumerate(items) if h == new_heading)
            items.insert(last + 1, (new_heading, record, rewords))
        pages.append(
            _page(
                "demo-indicators-mk",
                f"National indicators of trafficking: {second.name}",
                f"{second.name}'s version of the regional indicators, worded as the national "
                "SOPs word them. For the network's members.",
                [english],
                topic,
                version="2024-2",
                published=datetime.date(2024, 11, 4),
                items=items,
                derived_from=regional,
                country=second,
                audience=Audience.MEMBERS,
            )
        )
    if french is not None:
        items = []
        for key, heading, stage, dimension, strength, groups, forms, _text, text_fr in REGIONAL:
            translated = _record(
                f"demo-ind-{key}-fr",
                text_fr,
                HEADINGS_FR[heading],
                stage,
                dimension,
                strength,
                groups,
                forms,
                french,
                section=f"Indicateurs régionaux, {HEADINGS_FR[heading]}",
                translation_of=records[key],
            )
            items.append((HEADINGS_FR[heading], translated, None))
        translation = _page(
            "demo-indicators-regional-fr",
            "Indicateurs régionaux pour l'identification des victimes de la traite",
            "La liste régionale du réseau : signes de premier repérage, d'identification "
            "formelle et d'évaluation des risques, chacun qualifié de fort, moyen ou faible.",
            [french],
            topic,
            version="2024",
            published=datetime.date(2024, 6, 3),
            items=items,
        )
        translation.translation_of = regional
        pages.append(translation)
    if pages:
        bulk_publish.create_published(library, pages)
    if stdout is not None:
        stdout.write(
            f"  Indicators: a regional set of {len(REGIONAL)}, {len(pages)} versions and "
            "translations."
        )


def _record(
    external_id,
    text,
    heading,
    stage,
    dimension,
    strength,
    groups,
    forms,
    language,
    section=None,
    translation_of=None,
):
    record, _created = Indicator.objects.get_or_create(
        external_id=external_id,
        defaults={
            "text": text,
            "stage": stage,
            "dimension": dimension,
            "strength": strength,
            "target_groups": groups,
            "exploitation": forms,
            "language": language,
            "source_section": section or SOURCE_SECTION.format(heading=heading),
            "translation_of": translation_of,
        },
    )
    return record


def _page(
    external_id,
    title,
    summary,
    languages,
    topic,
    *,
    version,
    published,
    items,
    derived_from=None,
    country=None,
    audience=Audience.PUBLIC,
):
    page = ResourcePage(
        title=title,
        summary=summary,
        resource_type=ResourceType.INDICATOR_SET,
        audience=audience,
        external_id=external_id,
        version_label=version,
        published=published,
        derived_from=derived_from,
        version_country=country,
        body=[
            {
                "type": "paragraph",
                "value": "<p>For police, border guards, labour inspectors, social workers and "
                "NGOs who meet a person who may have been trafficked. Tick what you observe; "
                "refer when in doubt.</p>",
            }
        ],
        live=False,
    )
    page.languages = [language for language in languages if language is not None]
    page.topics = [topic] if topic is not None else []
    page.countries = [country] if country is not None else []
    page.indicator_items = [
        IndicatorSetItem(heading=heading, indicator=record, rewords=rewords, sort_order=position)
        for position, (heading, record, rewords) in enumerate(items)
    ]
    return page
