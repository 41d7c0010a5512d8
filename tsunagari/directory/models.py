"""The resources directory, aligned with Open Referral HSDS 3.0 (shared/data/hsds-3.0).

Field names follow the HSDS tabular package column names, so that import and export map one to one
(`tsunagari/directory/hsds.py`). On top of HSDS the platform adds, on Service: availability (受付中 /
待ちあり / 受付停止, with the date it was set), visibility (public / members only), the districts a
service covers, its source (local directory or national scheme, with attribution) and the search
fields the navigator uses.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

STALE_AFTER = timedelta(days=180)


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A term; the 27 困りごと categories are the terms of the platform's category taxonomy."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    taxonomy_ref = models.ForeignKey(
        Taxonomy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="terms",
        db_column="taxonomy_id",
    )
    code = models.CharField(_("code"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    taxonomy = models.CharField(_("taxonomy name"), max_length=200, blank=True)
    language = models.CharField(max_length=20, blank=True)
    term_uri = models.URLField(blank=True)
    is_crisis = models.BooleanField(
        _("crisis"), default=False, help_text=_("Danger to life: crisis lines first.")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language (English when the page is in English and one is given)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class DirectoryOrganization(models.Model):
    """An HSDS organization: whoever provides services, member of the platform or not."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("other name"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    tax_status = models.CharField(max_length=100, blank=True)
    tax_id = models.CharField(max_length=100, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(null=True, blank=True)
    legal_status = models.CharField(max_length=200, blank=True)
    logo = models.URLField(blank=True)
    uri = models.URLField(blank=True)
    parent_organization = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_entries",
        verbose_name=_("platform member"),
        help_text=_("The member organisation whose staff keep these services up to date."),
    )
    stale_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Ended")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    class Availability(models.TextChoices):
        ACCEPTING = "accepting", _("Accepting (受付中)")
        WAITLIST = "waitlist", _("Waiting list (待ちあり)")
        CLOSED = "closed", _("Not accepting (受付停止)")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")

    class Source(models.TextChoices):
        LOCAL = "local", _("Local service")
        NATIONAL = "national", _("National scheme")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(DirectoryOrganization, on_delete=models.PROTECT, related_name="services")
    program_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("other name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.CharField(max_length=200, blank=True)
    fees = models.CharField(max_length=200, blank=True)
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField(_("who can use it"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    assured_date = models.DateField(_("last confirmed"), null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    licenses = models.TextField(blank=True)
    alert = models.TextField(_("notice"), blank=True)
    last_modified = models.DateTimeField(default=timezone.now)

    # --- platform extensions -------------------------------------------------------------------
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices, default=Availability.ACCEPTING
    )
    availability_set_on = models.DateField(_("availability set on"), default=date.today)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.LOCAL)
    attribution = models.CharField(_("source attribution"), max_length=300, blank=True)
    contact_text = models.TextField(_("contact"), blank=True)
    categories = models.ManyToManyField(
        TaxonomyTerm, through="ServiceCategory", related_name="services", verbose_name=_("categories")
    )
    districts = models.ManyToManyField(
        "orgs.District", blank=True, related_name="services", verbose_name=_("districts covered")
    )
    # Filled by the search index (directory/search.py): analysed tokens, their ASCII terms for the
    # database's full-text index (FTS5 / GIN), and a text embedding (float32).
    search_tokens = models.TextField(blank=True, editable=False)
    search_terms = models.TextField(blank=True, editable=False)
    embedding = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["assured_date"]), models.Index(fields=["source", "visibility"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stale(self) -> bool:
        return self.source == self.Source.LOCAL and (
            self.assured_date is None or timezone.localdate() - self.assured_date > STALE_AFTER
        )


class ServiceCategory(models.Model):
    """A service's category: an HSDS attribute (link_type=category), keeping the attribute's id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "term"], name="one_category_link")]

    def __str__(self) -> str:
        return f"{self.service_id} → {self.term_id}"


class Location(models.Model):
    class Type(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location_type = models.CharField(max_length=20, choices=Type.choices, default=Type.PHYSICAL)
    url = models.URLField(blank=True)
    organization = models.ForeignKey(
        DirectoryOrganization, null=True, blank=True, on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(_("how to get there"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=200, blank=True)
    # The location's district (an HSDS attribute with link_type=district, keeping its id).
    district = models.ForeignKey(
        "orgs.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    district_attribute_id = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="addresses"
    )
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="JP")
    address_type = models.CharField(max_length=20, default="physical")

    def __str__(self) -> str:
        return f"{self.state_province}{self.city}{self.address_1}"


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class Phone(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    organization = models.ForeignKey(
        DirectoryOrganization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact_id = models.CharField(max_length=64, blank=True)
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=50)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.number

    @property
    def tel_uri(self) -> str:
        return "tel:" + "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


class Schedule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=20, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=100, blank=True)
    byweekno = models.CharField(max_length=100, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True)
    byyearday = models.CharField(max_length=100, blank=True)
    description = models.TextField(_("hours"), blank=True)
    # Kept as written ("08:30:00+09:00"): HSDS times carry their zone.
    opens_at = models.CharField(max_length=20, blank=True)
    closes_at = models.CharField(max_length=20, blank=True)
    schedule_link = models.URLField(blank=True)
    attending_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.description or f"{self.freq} {self.byday}"


class ServiceArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="service_areas"
    )
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=50, blank=True)
    uri = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name or self.code


class Attribute(models.Model):
    """HSDS attributes other than categories and districts (those have their own tables)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    link_id = models.UUIDField()
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE)
    link_type = models.CharField(max_length=100, blank=True)
    link_entity = models.CharField(max_length=100)
    value = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.link_entity}:{self.link_type}"


class SearchIndexState(models.Model):
    """One row: bumped whenever services are (re)indexed, so every process knows to reload."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"index v{self.version}"


class ApiToken(models.Model):
    """A member organisation's key to the HSDS API; it also shows members-only services.

    Only a SHA-256 hash of the token is stored; the token itself is shown once when created.
    """

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.organization_id})"
