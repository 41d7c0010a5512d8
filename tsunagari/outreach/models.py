"""The secretariat's public communication: news it writes (お知らせ) and inquiries sent to it (お問い合わせ)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.crypto import EncryptedTextField


class Inquiry(models.Model):
    """A message from anyone to the secretariat, from the public contact form. Personal: all encrypted."""

    name = EncryptedTextField(_("name"), blank=True)
    email = EncryptedTextField(_("e-mail address"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    message = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_note = EncryptedTextField(_("how it was answered"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        indexes = [models.Index(fields=["answered_at", "created_at"])]

    def __str__(self) -> str:
        return f"inquiry #{self.pk}"


class NewsItem(models.Model):
    """A news item the secretariat publishes (public text)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    published_on = models.DateField(_("date"), default=timezone.localdate)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    def __str__(self) -> str:
        return self.title
