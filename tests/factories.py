from __future__ import annotations

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tsunagari.accounts.models import User
from tsunagari.orgs.models import ROLES_REQUIRING_MFA, District, Membership, Organization, Role

TEST_PASSWORD = "correct horse battery staple 2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    display_name = factory.Sequence(lambda n: f"利用者 {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    code = factory.Sequence(lambda n: f"d{n}")
    name = factory.Sequence(lambda n: f"第{n}地区")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"団体{n}")
    kana = factory.Sequence(lambda n: f"だんたい{n}")
    kind = Organization.Kind.NPO


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.STAFF


def make_member(org: Organization, role: str, *, mfa: bool = True, **user_fields) -> Membership:
    """A member with a second factor already set up when the role needs one (as after onboarding)."""
    membership = MembershipFactory(
        organization=org, role=role, **{f"user__{k}": v for k, v in user_fields.items()}
    )
    if mfa and role in ROLES_REQUIRING_MFA:
        TOTP.activate(membership.user, generate_totp_secret())
    return membership
