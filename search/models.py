"""
The database backend's storage. One row per search record, written only by the search service.
Full-text structures live beside it: an FTS5 table on SQLite, a weighted tsvector column plus a
BM25 postings table on PostgreSQL (created in migrations, per database vendor).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from portal.access import Audience

# Bit per tier, so that "visible to this tier" is one indexable test inside every query.
AUDIENCE_BITS = {"public": 1, "members": 2, "secretariat": 4}


def audience_bits(audiences):
    bits = 0
    for audience in audiences:
        bits |= AUDIENCE_BITS.get(str(audience), 0)
    return bits


class IndexedRecord(models.Model):
    """A stored `SearchRecord`. Kind, language and year are single-valued facets kept as columns
    so counting them needs no join; multi-valued facets live in `RecordFacet`."""

    key = models.CharField(max_length=255, unique=True)
    source = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    attachments = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    audiences = models.CharField(max_length=64, help_text=_("Comma-separated tiers."))
    audience_bits = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=12, blank=True)
    date = models.DateField(null=True, blank=True)
    year = models.CharField(max_length=4, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    facets = models.JSONField(default=dict, blank=True)
    facet_labels = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    # BM25 document length (PostgreSQL postings); 0 where unused.
    length = models.PositiveIntegerField(default=0)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["source", "object_id"], name="search_rec_source_obj"),
            models.Index(fields=["-date", "id"], name="search_rec_date"),
            models.Index(fields=["language"], name="search_rec_language"),
        ]

    def __str__(self):
        return self.key


class RecordFacet(models.Model):
    """One value of a multi-valued facet (type, topic, country...) of a record, for filtering
    and for counting facets with GROUP BY over the matching set."""

    # Indexed by search_facet_record (record, facet), which leads with it.
    record = models.ForeignKey(
        IndexedRecord, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    facet = models.CharField(max_length=32)
    value = models.CharField(max_length=200)
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["facet", "value", "record"], name="search_facet_value"),
            models.Index(fields=["record", "facet"], name="search_facet_record"),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}"


class Posting(models.Model):
    """PostgreSQL BM25: one lexeme of one record with its precomputed BM25 term-frequency part
    (the IDF is applied at query time from `Term.df`). The audience bits are copied here so the
    per-term top-N scan filters by tier before pruning."""

    term = models.CharField(max_length=255)
    record = models.ForeignKey(IndexedRecord, on_delete=models.CASCADE, db_constraint=False)
    impact = models.FloatField()
    audience_bits = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            # Covers the per-term top-N scan (index-only on PostgreSQL).
            models.Index(
                fields=["term", "-impact", "record", "audience_bits"], name="search_posting_term"
            ),
            # (`record` has the foreign key's own index.)
        ]

    def __str__(self):
        return f"{self.term}:{self.record_id}"


class Term(models.Model):
    """Document frequency of a lexeme (PostgreSQL BM25), kept current by the indexer."""

    term = models.CharField(max_length=255, primary_key=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.term


class IndexStats(models.Model):
    """Collection size and total length for BM25 (one row)."""

    doc_count = models.PositiveIntegerField(default=0)
    total_length = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "index stats"

    def __str__(self):
        return f"{self.doc_count} records"


class ZeroResultQuery(models.Model):
    """A normalised query that found nothing, counted per day, searcher's tier and interface
    language: the secretariat's view of missing guidance. Counts only: no user, no address, no
    time of day, so a row says how often, never who. The tier matters because a member who
    finds nothing may be missing members-only guidance, which is no gap for the public.

    What people type may be about a person or a case: only queries that read as a topic are
    recorded, a tier adds a bounded number of new ones a day, and rows are deleted after
    ZERO_RESULT_RETENTION_DAYS (`search.gaps.recordable`, `search.gaps.purge`)."""

    query = models.CharField(_("query"), max_length=200)
    day = models.DateField(_("day"), help_text=_("The portal's day (its own time zone)."))
    tier = models.CharField(
        _("searcher's tier"),
        max_length=12,
        choices=Audience.choices,
        blank=True,
        help_text=_(
            "What the searcher could see, as the access policy said; empty for searches counted"
            " before tiers were recorded."
        ),
    )
    language = models.CharField(
        _("interface language"),
        max_length=12,
        blank=True,
        help_text=_("The language the portal was shown in; empty when not one it offers."),
    )
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["query", "day", "tier", "language"], name="search_zero_query_day_tier"
            )
        ]
        indexes = [models.Index(fields=["day"], name="search_zero_day")]
        ordering = ["-day", "-count"]
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")

    def __str__(self):
        where = f"{self.day}, {self.tier or '?'}, {self.language or '?'}"
        return f"{self.query} ({where}: {self.count})"


class ZeroResultHandling(models.Model):
    """The secretariat's answer to a query that found nothing (guidance written, a synonym
    added, nothing to do): one per normalised query, whatever the tier or language. Searches
    on a later day than `handled_on` show the query as handled but seen again."""

    query = models.CharField(_("query"), max_length=200, unique=True)
    note = models.CharField(
        _("note"),
        max_length=500,
        help_text=_("What was done about it, for the rest of the secretariat."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), default=timezone.now)
    handled_on = models.DateField(
        _("handled on"),
        help_text=_("The portal's day of handling: searches after it show as seen again."),
    )

    class Meta:
        verbose_name = _("handled search without results")
        verbose_name_plural = _("handled searches without results")

    def __str__(self):
        return f"{self.query} ({self.handled_on})"


class PendingIndexWrite(models.Model):
    """An object whose records a search backend may not hold as its source says they are now:
    written when a write to the cluster fails, or is skipped while the cluster is known to be
    down. The database backend is written first, always, so it is never behind; searches use it
    while the cluster has any pending write, and `search.pending.replay()` (after the next
    successful write, and on a schedule) re-reads each object's source and writes the cluster.

    One row per backend and object: recording again gives it a new `token`, so a replay that
    read the object before deletes its row only when nobody recorded it again meanwhile. The row
    says what to redo, not how (the source says that when it is replayed), which is what an
    outbox of indexing intent, written in the changing transaction, will also need."""

    backend = models.CharField(max_length=32, help_text=_("The backend the write has not reached."))
    source = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    token = models.UUIDField(default=uuid.uuid4)
    recorded_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0, help_text=_("Failed replays."))
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["backend", "source", "object_id"], name="search_pending_write_object"
            )
        ]

    def __str__(self):
        return f"{self.backend}: {self.source}:{self.object_id}"


# The languages the thesaurus holds terms in: the network's and the region's.
THESAURUS_LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("sq", "Shqip"),
    ("bs", "Bosanski"),
    ("hr", "Hrvatski"),
    ("cnr", "Crnogorski"),
    ("sr", "Српски / Srpski"),
    ("mk", "Македонски"),
    ("bg", "Български"),
    ("ro", "Română"),
    ("el", "Ελληνικά"),
    ("sl", "Slovenščina"),
    ("uk", "Українська"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("tr", "Türkçe"),
]


class Concept(ClusterableModel):
    """A concept of the field (referral, victim of trafficking...) with its terms in each
    language: a search for one term also finds the others (search.thesaurus), weighing less."""

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        help_text=_("The concept as the secretariat calls it, e.g. “national referral mechanism”."),
    )
    note = models.TextField(_("scope note"), blank=True, help_text=_("What the concept covers."))
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Where its terms come from (a glossary, a law, a translation)."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("note"),
        FieldPanel("source"),
        InlinePanel("terms", heading=_("Terms"), label=_("Term"), min_num=1),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("thesaurus concept")
        verbose_name_plural = _("thesaurus")

    def __str__(self):
        return self.name


class ConceptTerm(Orderable):
    """One term of a concept in one language: its preferred term, an alternative, or an
    acronym."""

    PREFERRED = "preferred"
    KINDS = [
        (PREFERRED, _("Preferred term")),
        ("alternative", _("Alternative term")),
        ("acronym", _("Acronym")),
    ]

    concept = ParentalKey(Concept, on_delete=models.CASCADE, related_name="terms")
    language = models.CharField(_("language"), max_length=12, choices=THESAURUS_LANGUAGES)
    text = models.CharField(_("term"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS, default=PREFERRED)

    panels = [FieldPanel("language"), FieldPanel("text"), FieldPanel("kind")]

    class Meta(Orderable.Meta):
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def clean(self):
        from django.core.exceptions import ValidationError

        from search.analysis import words

        self.text = " ".join((self.text or "").split())
        if not words(self.text):
            raise ValidationError({"text": _("A term needs at least one letter or digit.")})
        if len(words(self.text)) > 8:
            raise ValidationError({"text": _("A term has at most 8 words.")})

    def __str__(self):
        return f"{self.text} ({self.language})"
