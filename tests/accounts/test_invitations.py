from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.accounts.models import Invitation, User
from tsunagari.audit.models import ActivityLog
from tsunagari.orgs.models import Membership, Role

STRONG_PASSWORD = "sea-breeze-kakuu-2026"


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Invite through the page and return the link's path, as the invitee finds it in the e-mail."""

    def send(admin, email="new.person@example.jp", role=Role.STAFF):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(admin).post(
                reverse("orgs:member_invite", args=[admin.organization.slug]), {"email": email, "role": role}
            )
        assert response.status_code == 302, response.content.decode()[:500]
        link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line).strip()
        return link.split("testserver", 1)[1]

    return send


def test_admin_invites_and_new_person_joins_with_the_role(invite, world):
    admin = world["admin"]
    path = invite(admin)
    assert mail.outbox[-1].to == ["new.person@example.jp"]

    client = client_for(None)
    page = client.get(path)
    assert page.status_code == 200
    assert admin.organization.name in page.content.decode()
    response = client.post(
        path, {"display_name": "新井 さくら", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.jp")
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role) == (admin.organization, Role.STAFF)
    assert user.check_password(STRONG_PASSWORD)
    # Staff see personal data, so the next page they reach is the second-factor set-up.
    follow = client.get(reverse("orgs:dashboard", args=[admin.organization.slug]))
    assert follow.status_code == 302 and follow["Location"] == reverse("mfa_index")
    actions = list(ActivityLog.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        "accounts.invitation.sent",
        "orgs.membership.added",
        "accounts.invitation.accepted",
    ]


def test_invitation_link_works_only_once(invite, world):
    path = invite(world["admin"])
    client_for(None).post(
        path, {"display_name": "一度 だけ", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    again = client_for(None).get(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode() or "使用" in again.content.decode()


def test_expired_invitation_explains_and_creates_nothing(invite, world):
    path = invite(world["admin"])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client_for(None).post(
        path, {"display_name": "遅れた 人", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="new.person@example.jp").exists()


def test_weak_password_is_refused_and_the_name_is_kept(invite, world):
    path = invite(world["admin"])
    response = client_for(None).post(
        path, {"display_name": "新井 さくら", "password1": "short", "password2": "short"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="新井 さくら"' in body
    assert "field__error" in body
    assert not User.objects.filter(email="new.person@example.jp").exists()


def test_unknown_token_is_404(db):
    assert client_for(None).get("/invitations/not-a-real-token/").status_code == 404


def test_existing_user_accepts_while_signed_in(invite, world, org_b):
    other = world["other_staff"]  # a member of org B, invited to org A as a volunteer
    path = invite(world["admin"], email=other.user.email, role=Role.VOLUNTEER)
    anonymous = client_for(None).get(path)
    assert "Sign in" in anonymous.content.decode() or "ログイン" in anonymous.content.decode()
    response = client_for(other).post(path)
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=other.user, organization=world["admin"].organization, role=Role.VOLUNTEER
    ).exists()


def test_signed_in_user_cannot_take_someone_elses_invitation(invite, world):
    path = invite(world["admin"], email="someone.else@example.jp")
    intruder = world["other_admin"]
    client_for(intruder).post(path)
    assert not Membership.objects.filter(
        user=intruder.user, organization=world["admin"].organization
    ).exists()


def test_staff_cannotinvite(invite, world):
    staff = world["staff"]
    response = client_for(staff).post(
        reverse("orgs:member_invite", args=[staff.organization.slug]),
        {"email": "x@example.jp", "role": Role.ADMIN},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_admin_cannot_invite_a_coordinator(world):
    admin = world["admin"]
    response = client_for(admin).post(
        reverse("orgs:member_invite", args=[admin.organization.slug]),
        {"email": "x@example.jp", "role": Role.COORDINATOR},
    )
    assert response.status_code == 200  # the form explains the role is not a valid choice
    assert not Invitation.objects.exists()


def test_invalid_invite_keeps_what_was_typed(world):
    admin = world["admin"]
    response = client_for(admin).post(
        reverse("orgs:member_invite", args=[admin.organization.slug]),
        {"email": "not-an-address", "role": Role.STAFF},
    )
    assert response.status_code == 200
    assert 'value="not-an-address"' in response.content.decode()


def test_public_signup_is_closed(db):
    response = client_for(None).post(
        reverse("account_signup"),
        {"email": "walk.in@example.jp", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    assert not User.objects.filter(email="walk.in@example.jp").exists()
    assert response.status_code in {200, 302}


def test_revoked_invitation_no_longer_works(invite, world):
    admin = world["admin"]
    path = invite(admin)
    invitation = Invitation.objects.get()
    client_for(admin).post(reverse("orgs:invitation_revoke", args=[admin.organization.slug, invitation.pk]))
    assert client_for(None).get(path).status_code == 410


def test_other_organisation_cannot_revoke(invite, world):
    path = invite(world["admin"])
    invitation = Invitation.objects.get()
    other = world["other_admin"]
    response = client_for(other).post(
        reverse("orgs:invitation_revoke", args=[other.organization.slug, invitation.pk])
    )
    assert response.status_code == 404
    assert client_for(None).get(path).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_member_list_query_count_does_not_grow(world, django_assert_num_queries, count):
    admin = world["admin"]
    for _ in range(count):
        make_member(admin.organization, Role.VOLUNTEER)
    client = client_for(admin)
    client.get(reverse("orgs:member_list", args=[admin.organization.slug]))  # warm the session
    # No session write and no badge count within the minute (accounts.middleware, today.BADGE_SECONDS); the
    # second-factor check is one query for a member who has one (accounts.services.user_lacks_required_mfa).
    with django_assert_num_queries(6):
        response = client.get(reverse("orgs:member_list", args=[admin.organization.slug]))
    assert response.status_code == 200


def test_coordinator_registers_organisation_and_invites_its_admin(world):
    coordinator = world["coordinator"]
    response = client_for(coordinator).post(
        reverse("orgs:organization_create", args=[coordinator.organization.slug]),
        {
            "slug": "new-npo",
            "tier": "full",
            "name": "NPO法人 はじまり",
            "kana": "はじまり",
            "kind": "npo",
            "corporate_number": "7000012050002",
            "admin_email": "first.admin@example.jp",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = Invitation.objects.get(email="first.admin@example.jp")
    assert invitation.organization.slug == "new-npo" and invitation.role == Role.ADMIN


def test_bad_corporate_number_is_explained_and_input_kept(world):
    coordinator = world["coordinator"]
    response = client_for(coordinator).post(
        reverse("orgs:organization_create", args=[coordinator.organization.slug]),
        {
            "slug": "x",
            "tier": "full",
            "name": "株式会社 テスト",
            "kind": "company",
            "corporate_number": "8000012050002",
            "admin_email": "a@example.jp",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="株式会社 テスト"' in body and 'value="8000012050002"' in body
    assert 'aria-invalid="true"' in body


def test_invitation_email_is_plain_text_not_html_escaped(world, invite, org_a):
    org_a.name = "NPO <A&B>"
    org_a.save()
    invite(world["admin"])
    assert "NPO <A&B>" in mail.outbox[-1].subject
    assert "&lt;" not in mail.outbox[-1].body


def test_new_member_sets_up_totp_without_typing_the_password_again(world, invite):
    path = invite(world["admin"])
    client = client_for(None)
    client.post(
        path, {"display_name": "新井 さくら", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    # The QR code is drawn by allauth[mfa] with qrcode (its dependency, not ours: we import neither).
    assert 'src="data:image/svg+xml;base64,' in response.content.decode()


def test_failing_mail_server_keeps_the_invitation(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.accounts.broken_mail.BrokenBackend"
    admin = world["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            reverse("orgs:member_invite", args=[admin.organization.slug]),
            {"email": "n@example.jp", "role": Role.STAFF},
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="n@example.jp").exists()


def test_corporate_number_typed_full_width_with_hyphens_is_accepted(world):
    coordinator = world["coordinator"]
    response = client_for(coordinator).post(
        reverse("orgs:organization_create", args=[coordinator.organization.slug]),
        {"slug": "zen", "tier": "full", "name": "全角 法人", "kind": "npo", "corporate_number": "７０００－０１２０－５０００２",
         "admin_email": "z@example.jp"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    from tsunagari.orgs.models import Organization

    assert Organization.objects.get(slug="zen").corporate_number == "7000012050002"


def test_duplicate_organisation_is_refused_with_a_clear_message(world, org_a):
    coordinator = world["coordinator"]
    response = client_for(coordinator).post(
        reverse("orgs:organization_create", args=[coordinator.organization.slug]),
        {"slug": "dup", "tier": "full", "name": org_a.name, "kind": "npo", "admin_email": "d@example.jp",
         "phone": "電話ください"},
    )  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('aria-invalid="true"') == 2  # the name and the phone number


def test_inviting_an_existing_member_explains_and_keeps_the_input(world):
    admin, staff = world["admin"], world["staff"]
    response = client_for(admin).post(
        reverse("orgs:member_invite", args=[admin.organization.slug]),
        {"email": staff.user.email, "role": Role.STAFF},
    )
    assert response.status_code == 200
    assert f'value="{staff.user.email}"' in response.content.decode()


def test_signed_in_person_sees_at_once_that_the_invitation_is_for_someone_else(world, invite):
    path = invite(world["admin"], email="someone.else@example.jp")
    page = client_for(world["other_admin"]).get(path).content.decode()
    assert 'type="submit"' not in page.split("<main", 1)[1].split("</main>", 1)[0]
