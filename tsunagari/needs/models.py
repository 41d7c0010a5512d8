"""Shared needs (困りごと共有): de-identified reports of what member organisations notice, their monthly
tallies (what every aggregate page reads), and gap issues (はざまの課題) the platform tackles together."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HouseholdType(models.TextChoices):
    SINGLE_ELDERLY = "single_elderly", _("Older person living alone (単身高齢)")
    ELDERLY_COUPLE = "elderly_couple", _("Older couple (高齢夫婦)")
    EIGHTY_FIFTY = "8050", _("Parent in their 80s with a child in their 50s (8050)")
    SINGLE_PARENT = "single_parent", _("Single parent (ひとり親)")
    CHILD_REARING = "child_rearing", _("Raising children (子育て)")
    YOUNG_CARER = "young_carer", _("Young carer (ヤングケアラー)")
    FOREIGN = "foreign", _("Foreign nationality (外国籍)")
    OTHER = "other", _("Other (その他)")


class AgeBand(models.TextChoices):
    UNDER_20 = "u20", _("Under 20")
    TWENTIES = "20s", _("20s")
    THIRTIES = "30s", _("30s")
    FORTIES = "40s", _("40s")
    FIFTIES = "50s", _("50s")
    SIXTIES = "60s", _("60s")
    SEVENTIES = "70s", _("70s")
    EIGHTY_PLUS = "80+", _("80 and over")
    MIXED = "mixed", _("Several ages or unknown")


class SystemFit(models.TextChoices):
    FITS = "fits", _("A system exists (制度あり)")
    UNREACHED = "unreached", _("A system exists but does not reach them (制度はあるが届かない)")
    NONE = "none", _("No system fits (制度なし)")


class NeedReport(models.Model):
    """What one member organisation noticed in one month and district: counts, never identities.

    The description is checked for personal data before saving (tsunagari/text/personal_data.py)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    reported_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    period = models.DateField(_("month"), help_text=_("The month the needs were noticed."))  # first day
    district = models.ForeignKey(
        "orgs.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    categories = models.ManyToManyField(
        "directory.TaxonomyTerm", related_name="+", verbose_name=_("kinds of trouble")
    )
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices)
    household_type = models.CharField(_("household type"), max_length=20, choices=HouseholdType.choices)
    count = models.PositiveIntegerField(
        _("number of people or households"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    system_fit = models.CharField(_("does an existing system fit?"), max_length=10, choices=SystemFit.choices)
    description = models.TextField(_("short description"), max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("need report")
        verbose_name_plural = _("need reports")
        indexes = [models.Index(fields=["period", "district"])]

    def __str__(self) -> str:
        return f"need report #{self.pk}"


class NeedTally(models.Model):
    """Running totals per month × district × kind of trouble × household type × system fit, kept in step
    with the reports by the services (and rebuilt by `tsunagari rebuild-need-tallies`). Aggregate pages
    read these rows — at most districts × 27 × 8 × 3 a month, whatever the number of reports (80,000 for two
    years at 1,000,000 reports in benchmarks/needs.py) — instead of grouping every report on each request.

    ``people`` is a 延べ数: a report with two kinds of trouble counts under both."""

    month = models.DateField()
    district = models.ForeignKey("orgs.District", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("directory.TaxonomyTerm", on_delete=models.CASCADE, related_name="+")
    household_type = models.CharField(max_length=20, choices=HouseholdType.choices)
    system_fit = models.CharField(max_length=10, choices=SystemFit.choices)
    people = models.PositiveIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "district", "category", "household_type", "system_fit"],
                name="one_tally_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"tally {self.month} {self.district_id} {self.category_id}"


class TallyVersion(models.Model):
    """One row whose token changes, in the same transaction, whenever any tally does (services.py). The
    aggregates computed from the tallies are cached under it (aggregates.py), so a new or withdrawn
    report shows at once and nothing is recomputed until one comes.

    A random token rather than a counter: a database restored from a backup, or emptied by a test, never
    meets cached figures of another state under the same number."""

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"tallies {self.token}"


class DirectoryVersion(models.Model):
    """One row whose token the database itself changes whenever what coverage counts changes: a service
    added, removed, or its status or availability set; a category or district link added, changed or
    removed (triggers in migrations/0003_directory_version.py, so every write path counts — forms, HSDS
    and scheme imports, bulk updates). Coverage counts are cached under it (aggregates.py)."""

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"directory {self.token}"


class GapIssue(models.Model):
    """はざまの課題: needs no system covers, grouped by the secretariat and followed until solved."""

    class Status(models.TextChoices):
        RAISED = "raised", _("Raised (提起)")
        DISCUSSING = "discussing", _("Under discussion (検討中)")
        MEASURES = "measures", _("Measures in place (対応策あり)")
        SOLVED = "solved", _("Solved (解決済)")

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the gap is"), max_length=2000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RAISED)
    reports = models.ManyToManyField(NeedReport, related_name="gap_issues", blank=True)
    responsible = models.ManyToManyField(
        "orgs.Organization", related_name="+", blank=True, verbose_name=_("responsible organisations")
    )
    participants = models.ManyToManyField("orgs.Organization", related_name="gap_issues", blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("gap issue")
        verbose_name_plural = _("gap issues")

    def __str__(self) -> str:
        return f"gap issue #{self.pk}"


class GapIssueEntry(models.Model):
    """A note or a decision on a gap issue, in the order they were written."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        DECISION = "decision", _("Decision")

    issue = models.ForeignKey(GapIssue, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"), max_length=4000)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on gap issue #{self.issue_id}"


class PublicSnapshot(models.Model):
    """The city's needs picture as the secretariat releases it to the public (「まちの姿」): a fixed copy of
    the suppressed district × kind-of-trouble table members see, taken once and never recomputed, so
    that published figures cannot be differenced over time. Withdrawn snapshots leave the public site."""

    class Licence(models.TextChoices):
        CC_BY_4 = "cc-by-4.0", "CC BY 4.0"
        CC0 = "cc0-1.0", "CC0 1.0"
        PDL_1 = "pdl-1.0", _("Public Data License 1.0 (公共データ利用規約)")

    title = models.CharField(_("title"), max_length=200)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_4)
    header = models.JSONField(default=list)  # aggregate_rows() at the time of the snapshot
    rows = models.JSONField(default=list)  # hidden figures are stored as the words members see
    k = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("public snapshot")
        verbose_name_plural = _("public snapshots")

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and self.withdrawn_at is None
