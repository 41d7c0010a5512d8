from unittest import mock

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.db import connection
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, make_member
from tsunagari.orgs.models import Role

# A fixed clock for TOTP, patched as allauth's own tests do (allauth/mfa/totp/tests/test_unit.py): a code
# computed from the wall clock fails when the 30-second period turns between computing and checking it.
FIXED_TIME = 1_780_000_000
TOTP_PERIOD = mfa_settings.TOTP_PERIOD


@pytest.fixture
def fixed_clock():
    with mock.patch("time.time", mock.MagicMock(return_value=FIXED_TIME)):
        yield FIXED_TIME


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.STAFF, Role.ADMIN])
def test_roles_that_see_personal_data_must_set_up_mfa_first(org_a, role):
    member = make_member(org_a, role, mfa=False)
    response = client_for(member).get(reverse("orgs:dashboard", args=[org_a.slug]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    # The set-up pages themselves stay reachable.
    assert client_for(member).get(reverse("mfa_index")).status_code == 200


def test_viewer_without_mfa_reaches_the_dashboard(org_a):
    viewer = make_member(org_a, Role.VIEWER, mfa=False)
    assert client_for(viewer).get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 200


def test_member_with_mfa_reaches_the_dashboard(org_a):
    staff = make_member(org_a, Role.STAFF)
    assert client_for(staff).get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 200


def test_password_login_then_totp_step(org_a, client, fixed_clock):
    staff = make_member(org_a, Role.STAFF, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(staff.user, secret)
    response = client.post(reverse("account_login"), {"login": staff.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    # Not signed in until the second factor is given.
    assert client.get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 302
    code = format_hotp_value(hotp_value(secret, FIXED_TIME // TOTP_PERIOD))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 200


def test_wrong_totp_code_does_not_sign_in(org_a, client):
    staff = make_member(org_a, Role.STAFF)
    client.post(reverse("account_login"), {"login": staff.user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 302


def test_totp_secret_is_encrypted_in_the_database(org_a):
    member = make_member(org_a, Role.STAFF, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(member.user, secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE user_id = %s", [member.user_id])
        raw = str(cursor.fetchone()[0])
    assert secret not in raw
    stored = Authenticator.objects.get(user=member.user).data["secret"]
    assert get_adapter().decrypt(stored) == secret


def test_last_second_factor_of_a_required_role_cannot_be_removed(org_a):
    member = make_member(org_a, Role.STAFF)
    authenticator = Authenticator.objects.get(user=member.user)
    assert get_adapter().can_delete_authenticator(authenticator) is False


def test_viewer_may_remove_their_optional_second_factor(org_a):
    viewer = make_member(org_a, Role.VIEWER, mfa=False)
    TOTP.activate(viewer.user, generate_totp_secret())
    assert get_adapter().can_delete_authenticator(Authenticator.objects.get(user=viewer.user)) is True


def test_last_passkey_of_a_required_role_cannot_be_removed_over_http(org_a):
    member = make_member(org_a, Role.STAFF, mfa=False)
    passkey = Authenticator.objects.create(
        user=member.user, type=Authenticator.Type.WEBAUTHN, data={"name": "鍵"}
    )
    client = client_for(member)
    response = client.post(reverse("mfa_remove_webauthn", args=[passkey.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_list_webauthn")
    assert Authenticator.objects.filter(pk=passkey.pk).exists()


def test_sign_in_address_cannot_be_changed_by_the_user(org_a):
    viewer = make_member(org_a, Role.VIEWER, mfa=False)
    response = client_for(viewer).post(
        "/accounts/email/", {"action_add": "", "email": "mayor@city.example.jp"}
    )
    assert response.status_code == 404


def test_totp_code_typed_in_full_width_digits_is_accepted(org_a, client, fixed_clock):
    staff = make_member(org_a, Role.STAFF, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(staff.user, secret)
    client.post(reverse("account_login"), {"login": staff.user.email, "password": TEST_PASSWORD})
    code = format_hotp_value(hotp_value(secret, FIXED_TIME // TOTP_PERIOD))
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post(reverse("mfa_authenticate"), {"code": full_width[:3] + " " + full_width[3:]})
    assert response.status_code == 302
    assert client.get(reverse("orgs:dashboard", args=[org_a.slug])).status_code == 200


def test_second_step_page_speaks_the_platforms_words(org_a, client):
    staff = make_member(org_a, Role.STAFF)
    client.post(reverse("account_login"), {"login": staff.user.email, "password": TEST_PASSWORD})
    html = client.get(reverse("mfa_authenticate")).content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert "recovery" in html.lower() or "リカバリーコード" in html


def test_the_set_up_page_offers_a_passkey_before_the_authenticator_app(org_a):
    """Older volunteers are stopped by authenticator apps; the phone's own lock comes first."""
    member = make_member(org_a, Role.VOLUNTEER, mfa=False)
    page = client_for(member).get(reverse("mfa_index")).content.decode()
    passkey, app = page.find(reverse("mfa_add_webauthn")), page.find(reverse("mfa_activate_totp"))
    assert 0 < passkey < app
