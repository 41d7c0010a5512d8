"""People and households supported by member organisations (個別支援). Everything that identifies a
person is encrypted at rest (tsunagari/crypto.py); exact-match lookups go through blind indexes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tsunagari.audit.models import LegalBasis
from tsunagari.crypto import EncryptedDateField, EncryptedTextField


class Person(models.Model):
    class ContactPreference(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Home visit")
        LETTER = "letter", _("Letter")
        LINE = "line", _("LINE")
        THROUGH_SUPPORTER = "supporter", _("Through their supporter")
        DO_NOT_CONTACT = "do_not_contact", _("Do not contact")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    name = EncryptedTextField(_("name"))
    kana = EncryptedTextField(_("name in kana"), blank=True)
    birth_date = EncryptedDateField(_("date of birth"), blank=True, null=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    district = models.ForeignKey(
        "orgs.District",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("district"),
    )
    contact_preference = models.CharField(
        _("how to contact"), max_length=20, choices=ContactPreference.choices, default=ContactPreference.PHONE
    )
    # Blind indexes (keyed hashes) for the duplicate check: same kana + birth date, or same phone.
    kana_birth_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The person list: an organisation's people, newest first (paginated on this index).
        indexes = [models.Index(fields=["organization", "-created_at"], name="person_list_idx")]

    def __str__(self) -> str:
        return f"person #{self.pk}"  # never the name: __str__ ends up in logs

    @property
    def phone_uri(self) -> str:
        """The phone as a `tel:` link (digits and a leading +), or "" when there is no number."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""


class Household(models.Model):
    """A 世帯, so that complex households (8050, ダブルケア, ヤングケアラー) are seen whole."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    label = EncryptedTextField(_("household name"), help_text=_("For example: 架空家"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["organization", "-created_at"], name="household_list_idx")]

    def __str__(self) -> str:
        return f"household #{self.pk}"


class HouseholdMember(models.Model):
    class Relation(models.TextChoices):
        SELF = "self", _("Head of household")
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Brother or sister")
        GRANDPARENT = "grandparent", _("Grandparent")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="households")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="one_membership_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id}"


class InfoKind(models.Model):
    """A kind of information (情報の種類: 氏名・連絡先, 住所, 状況・困りごと …) that a consent or a sharing basis
    covers. The rows are data, seeded by a migration; ``cases/disclosure.py`` maps every field the pages show
    to exactly one kind, and a recipient sees a field only when its live basis covers that kind."""

    code = models.SlugField(primary_key=True, max_length=30)
    name_ja = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("kind of information")
        verbose_name_plural = _("kinds of information")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ja


class Consent(models.Model):
    """A person's consent to share information with named organisations (本人同意), recorded as data: who
    may receive it, which kinds of information, how, for what purpose, when and until when."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("In writing")
        VERBAL = "verbal", _("Verbally, with a witness")
        PHONE = "phone", _("By phone (the recorder, with date and time)")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    recipients = models.ManyToManyField(
        "orgs.Organization", related_name="+", verbose_name=_("may be shared with")
    )
    kinds = models.ManyToManyField(InfoKind, related_name="consents", verbose_name=_("kinds of information"))
    purpose = EncryptedTextField(_("purpose"), blank=True, max_length=1000)  # may name people: encrypted
    method = models.CharField(_("how it was given"), max_length=20, choices=Method.choices)
    witness = EncryptedTextField(_("witness"), blank=True)
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    # A consent given by phone is recorded with the time of the call (the recorder is ``recorded_by``).
    call_time = models.TimeField(_("time of the call"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent #{self.pk}"

    @property
    def is_live(self) -> bool:
        today = timezone.localdate()
        return self.withdrawn_at is None and (self.valid_until is None or self.valid_until >= today)


class ConsentScan(models.Model):
    """The scanned consent form (PDF, JPEG or PNG), encrypted at rest. Kept apart from ``Consent`` so that
    listing consents never loads or decrypts the file."""

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    consent = models.OneToOneField(Consent, on_delete=models.CASCADE, related_name="scan")
    content_type = models.CharField(max_length=30, choices=ContentType.choices)
    size = models.PositiveIntegerField()
    data = EncryptedTextField()  # base64 of the file, then encrypted like every other personal value
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"scan of consent #{self.consent_id}"


class Case(models.Model):
    """Support for a person or a household, led by one organisation (主担当) with a care team."""

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent (danger to life)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    opened_by = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="led_cases",
        verbose_name=_("lead organisation (主担当)"),
    )  # fmt: skip
    categories = models.ManyToManyField(
        "directory.TaxonomyTerm", related_name="cases", blank=True, verbose_name=_("kinds of trouble")
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    summary = EncryptedTextField(_("summary"), blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    unassigned_since = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The retention clock (cases/retention.py): set when the case is closed, cleared if it is reopened.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "-opened_at"], name="case_list_idx"),
            # The case list's branch of the cases an organisation leads, read from the index alone and in the
            # list's order, open first and newest first (it holds every column the list sorts on and the id:
            # cases.selectors.CaseList), so a page reads only its first rows.
            models.Index(fields=["lead", "-status", "-opened_at", "-id"], name="case_lead_list_idx"),
            # ... and of the cases it opened that nobody leads yet.
            models.Index(
                fields=["opened_by"], condition=models.Q(lead__isnull=True), name="case_unled_opener_idx"
            ),
            # The secretariat's queue: open cases nobody leads, oldest first.
            models.Index(
                fields=["unassigned_since"],
                condition=models.Q(lead__isnull=True, status="open"),
                name="case_queue_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, household__isnull=True)
                    | models.Q(person__isnull=True, household__isnull=False)
                ),
                name="case_for_person_or_household",
            )
        ]

    def __str__(self) -> str:
        return f"case #{self.pk}"


class SharingBasis(models.Model):
    """Why an organisation other than the lead may see a case: the legal basis of that disclosure.

    A consent basis lives as long as its consent: it is created ending no later than the consent
    (``ends_on``) and revoked when the consent is withdrawn (``cases.services``), so that whether a basis
    is live is read from the basis alone. The other bases (支援会議, 孤独・孤立対策地域協議会, protection of life)
    carry their own end and a reason.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sharing")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.CASCADE, related_name="bases"
    )
    reason = EncryptedTextField(_("reason"), blank=True, max_length=1000)  # may name people: encrypted
    # What a basis other than consent covers (a consent basis reads its consent's kinds): chosen for 支援会議 and
    # 協議会, fixed for protection of life (``cases.disclosure.VITAL_INTEREST_KINDS``). Empty covers nothing.
    kinds = models.ManyToManyField(
        InfoKind, related_name="bases", blank=True, verbose_name=_("kinds of information")
    )
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Sharing to protect life without consent is reviewed by a secretariat coordinator the next business day.
    review_by = models.DateField(_("review by"), null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sharing basis")
        verbose_name_plural = _("sharing bases")
        # live_bases → cases_visible_to: the cases an organisation takes part in, from the index alone.
        indexes = [
            models.Index(
                fields=["organization", "case", "ends_on"],
                condition=models.Q(revoked_at__isnull=True),
                name="live_sharing_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} on {self.case_id} ({self.legal_basis})"


class Referral(models.Model):
    """つなぎ: one organisation asks another (its inbox, not a person) to take part in supporting someone."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent (送付)")
        ACCEPTED = "accepted", _("Accepted (受理)")
        DECLINED = "declined", _("Declined (辞退)")
        IN_PROGRESS = "in_progress", _("In progress (対応中)")
        COMPLETED = "completed", _("Completed (完了)")
        CANCELLED = "cancelled", _("Cancelled (取消)")

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Not eligible (対象外)")
        NO_CAPACITY = "no_capacity", _("No capacity (受入枠なし)")
        UNREACHABLE = "unreachable", _("Could not reach the person (本人と連絡取れず)")
        PERSON_DECLINED = "person_declined", _("The person declined (本人辞退)")
        OTHER = "other", _("Other (その他)")

    class Outcome(models.TextChoices):
        SUPPORT_STARTED = "support_started", _("Support started (支援開始)")
        RESOLVED = "resolved", _("Resolved (解決)")
        REFERRED_ON = "referred_on", _("Referred on (他機関へ)")
        LOST_CONTACT = "lost_contact", _("Lost contact (連絡途絶)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    from_org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="incoming_referrals"
    )
    message = EncryptedTextField(_("what the receiving organisation should know"))
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    sharing = models.OneToOneField(
        SharingBasis, null=True, on_delete=models.SET_NULL, related_name="referral"
    )
    override_reason = EncryptedTextField(blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SENT)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = EncryptedTextField(blank=True, max_length=500)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("response due"))
    responded_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["to_org", "-sent_at"], name="referral_inbox_idx"),
            models.Index(fields=["due_on"], condition=models.Q(status="sent"), name="referral_overdue_idx"),
        ]

    def __str__(self) -> str:
        return f"referral #{self.pk}"


class CaseNote(models.Model):
    """A note on a case: seen by the whole care team, or kept within the writer's own organisation."""

    class Visibility(models.TextChoices):
        TEAM = "team", _("Care team")
        OWN = "own", _("Own organisation only")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"note #{self.pk}"


class Task(models.Model):
    """Something an organisation has to do for a case, by a date (伴走: nothing is forgotten)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    owner = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    assignee = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    title = EncryptedTextField(_("what to do"))
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(
                fields=["owner", "due_on"], condition=models.Q(done_at__isnull=True), name="task_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"task #{self.pk}"


class Assessment(models.Model):
    """One administration of an instrument (cases/instruments.py) by staff, for baseline and follow-ups."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    instrument = models.CharField(_("instrument"), max_length=40)
    answers = EncryptedTextField(_("answers"))  # JSON of item code → value: health information, so encrypted
    score = models.IntegerField(_("score"))
    label = models.CharField(_("result"), max_length=100, blank=True)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    administered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    administered_on = models.DateField(_("date"), default=timezone.localdate)

    class Meta:
        ordering = ["administered_on", "pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"assessment #{self.pk}"


class SupportPlan(models.Model):
    """A simple support plan (支援計画): goals and when to review them, one per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    goals = EncryptedTextField(_("goals"))
    next_review = models.DateField(_("next review"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")

    def __str__(self) -> str:
        return f"plan of case #{self.case_id}"
