from django.urls import include, path

from tsunagari import views
from tsunagari.accounts import views as account_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("switch/", views.switch_organization, name="switch_organization"),
    path("invitations/<str:token>/", account_views.accept_invitation, name="invitation_accept"),
    # Guards placed before allauth's own URLs (see tsunagari/accounts/views.py).
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        account_views.remove_passkey,
        name="mfa_remove_webauthn",
    ),
    path("accounts/email/", account_views.email_change_disabled, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("o/<slug:org_slug>/", include("tsunagari.orgs.urls")),
    path("o/<slug:org_slug>/audit/", include("tsunagari.audit.urls")),
]
