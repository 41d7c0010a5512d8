"""Organisations of the platform, the people in them (with a role), and the city's districts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tsunagari.crypto import EncryptedTextField

from .validators import validate_corporate_number, validate_phone_number


class District(models.Model):
    """An area unit of the city (地区), used to say where services reach and where needs are seen."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        CITY_DEPARTMENT = "city", _("City department (行政の課)")
        SOCIAL_WELFARE_COUNCIL = "shakyo", _("Social welfare council (社会福祉協議会)")
        NPO = "npo", _("NPO (NPO法人)")
        SOCIAL_WELFARE_CORPORATION = "swc", _("Social welfare corporation (社会福祉法人)")
        COOPERATIVE = "coop", _("Cooperative (協同組合)")
        COMPANY = "company", _("Company (企業)")
        MEDICAL = "medical", _("Medical institution (医療機関)")
        COMMISSIONED_WELFARE_VOLUNTEERS = (
            "minsei",
            _("Commissioned welfare volunteers (民生委員児童委員協議会)"),
        )
        VOLUNTEER_GROUP = "volunteer", _("Volunteer group (ボランティア団体)")
        UNIVERSITY = "university", _("University (大学)")
        OTHER = "other", _("Other (その他)")

    class Tier(models.TextChoices):
        DIRECTORY_ONLY = "directory", _("Directory only")
        FULL = "full", _("Full member")

    slug = models.SlugField(_("short name for addresses"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kana = models.CharField(_("name in kana"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    corporate_number = models.CharField(
        _("corporate number (法人番号)"),
        max_length=13,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("13 digits, optional."),
    )
    districts = models.ManyToManyField(
        District, blank=True, related_name="organizations", verbose_name=_("districts served")
    )
    public_profile = models.TextField(_("public profile"), blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(
        _("public phone number"), max_length=30, blank=True, validators=[validate_phone_number]
    )
    tier = models.CharField(_("membership tier"), max_length=20, choices=Tier.choices, default=Tier.FULL)
    is_secretariat = models.BooleanField(
        _("secretariat (事務局)"),
        default=False,
        help_text=_("The platform's coordinating body (調整機関). Exactly one organisation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kana", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_secretariat"], condition=Q(is_secretariat=True), name="one_secretariat"
            ),
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=~Q(corporate_number=""),
                name="unique_corporate_number",
                violation_error_message=_("Another organisation already has this corporate number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do in an organisation. Ranks order them for "this role or higher" checks."""

    # A partner under a watching-over agreement (見守り協定: a newspaper deliverer, a utility's meter reader)
    # reports what they notice and follows their own reports; nothing else on the platform is theirs.
    PARTNER = "partner", _("Partner (reports SOS only)")
    VIEWER = "viewer", _("Viewer")
    VOLUNTEER = "volunteer", _("Volunteer (つながりサポーター)")
    STAFF = "staff", _("Staff")
    ADMIN = "admin", _("Organisation admin")
    COORDINATOR = "coordinator", _("Secretariat coordinator")


ROLE_RANK = {
    Role.PARTNER: 5,
    Role.VIEWER: 10,
    Role.VOLUNTEER: 20,
    Role.STAFF: 30,
    Role.ADMIN: 40,
    Role.COORDINATOR: 50,
}

# Roles that can see personal data about residents: they must use a second factor.
ROLES_REQUIRING_MFA = frozenset({Role.VOLUNTEER, Role.STAFF, Role.ADMIN, Role.COORDINATOR})


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__kana", "organization__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]

    @property
    def can_register_people(self) -> bool:
        """Staff and up of a full member organisation. Directory-only members (e.g. businesses under a
        見守り協定) report what they notice but keep no records of people, so they may neither register
        people nor run the duplicate check."""
        return self.has_role(Role.STAFF) and self.organization.tier == Organization.Tier.FULL

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR and self.organization.is_secretariat


class MembershipApplication(models.Model):
    """An organisation asking to join the platform (加入申込), sent from the public form. The secretariat's
    coordinators review it; approval registers the organisation and invites the contact as its admin.
    The contact person's details are personal and stored encrypted."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    organization_name = models.CharField(_("organisation name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Organization.Kind.choices)
    contact_name = EncryptedTextField(_("contact person"))
    email = EncryptedTextField(_("e-mail address"))
    phone = EncryptedTextField(_("phone"), blank=True)
    offer = EncryptedTextField(_("what the organisation offers"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = EncryptedTextField(_("note to the applicant"), blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"application #{self.pk} ({self.status})"
