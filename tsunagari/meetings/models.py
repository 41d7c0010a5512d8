"""Meetings of the platform: 支援会議 (社会福祉法 第106条の6), 重層的支援会議, 孤独・孤立対策地域協議会, and platform
meetings without personal data (全体会, 分科会, 研修の打合せ). What each kind allows is data (``MeetingKind``,
seeded by a migration), never a code branch on the kind's name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tsunagari.audit.models import LegalBasis
from tsunagari.crypto import EncryptedTextField


class MeetingKind(models.Model):
    """A kind of meeting and what it allows. The confidentiality wording and its law are data so the city's
    legal department can correct them without a release (the seeded wording awaits its review)."""

    code = models.SlugField(primary_key=True, max_length=30)
    name_ja = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    law = models.CharField(max_length=120, blank=True)  # the law or rule the meeting is held under
    carries_cases = models.BooleanField(default=False)  # may its agenda hold cases (personal data)?
    # The basis on which a case item is shared with the invited organisations: 支援会議 / 協議会 create a
    # ``cases.SharingBasis`` of this basis; CONSENT creates none (each organisation sees what consent gives).
    case_legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices, blank=True)
    requires_confidentiality = models.BooleanField(default=False)
    confidentiality_text = models.TextField(blank=True)
    confidentiality_law = models.CharField(max_length=120, blank=True)
    closed = models.BooleanField(default=True)  # 非公開: minutes are never published
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("kind of meeting")
        verbose_name_plural = _("kinds of meeting")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ja

    @property
    def creates_sharing(self) -> bool:
        return self.carries_cases and self.case_legal_basis in {
            LegalBasis.SUPPORT_MEETING,
            LegalBasis.REGIONAL_COUNCIL,
        }


class Meeting(models.Model):
    """One meeting, convened by the secretariat. Its title, place and link are not about people (checked
    for personal data): they go into invitations and calendars."""

    class Minutes(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved by the chair")

    kind = models.ForeignKey(MeetingKind, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair")
    )
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorder")
    )
    convened_by = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    organizations = models.ManyToManyField(
        "orgs.Organization", related_name="meetings", blank=True, verbose_name=_("invited organisations")
    )
    material_released_at = models.DateTimeField(null=True, blank=True)
    minutes_status = models.CharField(max_length=10, choices=Minutes.choices, default=Minutes.DRAFT)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Platform meetings only: minutes the secretariat publishes on the public site (checked for personal data).
    public_minutes = models.TextField(_("public minutes"), blank=True, max_length=4000)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"meeting #{self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.minutes_status == self.Minutes.APPROVED


class Attendee(models.Model):
    """A named member invited to a meeting, their confirmation of the duty of confidentiality and whether
    they attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confidentiality confirmed at"), null=True, blank=True)
    confirmed_text = models.TextField(blank=True)  # the wording confirmed, as it was at that time
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        ordering = ["organization__kana", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_attendee_per_meeting")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.meeting_id}"


class AgendaItem(models.Model):
    """One item: a case (cases.Case) or a topic (a gap issue, or free text without personal data)."""

    class Source(models.TextChoices):
        QUEUE = "queue", _("Unassigned queue")
        PROPOSED = "proposed", _("Proposed by a member")
        SOS = "sos", _("SOS report")
        REVIEW = "review", _("Review from an earlier meeting")
        TOPIC = "topic", _("Topic")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    gap_issue = models.ForeignKey(
        "needs.GapIssue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)  # checked for personal data
    kinds = models.ManyToManyField("cases.InfoKind", blank=True, related_name="+")
    bases = models.ManyToManyField("cases.SharingBasis", blank=True, related_name="+")
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    # The minutes of this item (about people: encrypted).
    summary = EncryptedTextField(_("summary of the discussion"), blank=True)
    policy = EncryptedTextField(_("support policy decided (支援方針)"), blank=True)
    lead = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("lead organisation (主担当)"),
    )  # fmt: skip
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=True) | models.Q(gap_issue__isnull=True),
                name="agenda_item_case_or_topic",
            )
        ]

    def __str__(self) -> str:
        return f"item #{self.pk}"

    @property
    def is_case(self) -> bool:
        return self.case_id is not None


class Action(models.Model):
    """An action decided on an item: an organisation (and optionally a member) does what, by when. On a case
    item it becomes a ``cases.Task`` owned by that organisation."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = EncryptedTextField(_("what to do"))
    due_on = models.DateField(_("due"))
    task = models.OneToOneField(
        "cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_action"
    )
    done_at = models.DateTimeField(null=True, blank=True)  # topic items (no task) are ticked off here
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"action #{self.pk}"


class MinutesVersion(models.Model):
    """The minutes as approved (version 1) and each later amendment: a fixed copy, never edited."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    content = EncryptedTextField()  # JSON of every item's minutes and actions at that time
    reason = EncryptedTextField(blank=True)  # why it was amended
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_minutes_number")]

    def __str__(self) -> str:
        return f"minutes v{self.number} of {self.meeting_id}"


class CalendarFeed(models.Model):
    """A member's private calendar address (iCalendar) of the meetings they are invited to. Only the hash
    of the token is kept; a new token revokes the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class CaseProposal(models.Model):
    """A member organisation asks the secretariat to put one of its cases on a 支援会議's agenda (a household
    with several troubles that no single organisation can carry). The secretariat sees the case number, the
    organisation and the reason, which is written without names (checked), until it adds the case to a
    meeting or declines."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting (提案中)")
        ADDED = "added", _("On an agenda (議題に追加)")
        DECLINED = "declined", _("Declined (見送り)")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("why a meeting is needed"), max_length=1000)  # checked for names; encrypted
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="waiting"), name="one_waiting_proposal_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"proposal of case {self.case_id}"
