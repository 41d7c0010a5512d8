from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tsunagari.crypto import decrypt_text, encrypt_text


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people join through an organisation admin's invitation."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits count by: the real client behind the trusted proxies
        (TSUNAGARI_TRUSTED_PROXIES), the same one the activity log records. Without this, every client
        behind the proxy is 127.0.0.1, and five wrong passwords from anywhere lock everyone out."""
        from tsunagari.audit.services import client_ip

        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address


class EncryptingMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are encrypted with the data key, and a required second factor cannot be removed."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        from .services import user_requires_mfa

        if authenticator.type == Authenticator.Type.RECOVERY_CODES or not user_requires_mfa(
            authenticator.user
        ):
            return True
        others = Authenticator.objects.filter(user=authenticator.user).exclude(pk=authenticator.pk)
        return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
