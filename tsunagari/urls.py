from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from tsunagari import views
from tsunagari.accounts import views as account_views
from tsunagari.cases import urls as case_urls
from tsunagari.events import urls as event_urls
from tsunagari.meetings import urls as meeting_urls
from tsunagari.training import urls as training_urls

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
    # Residents switch language before signing in (or without ever signing in).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("furigana/", views.set_furigana, name="set_furigana"),
    path("", include("tsunagari.directory.urls")),
    path("", include("tsunagari.orgs.public_urls")),
    path("", include("tsunagari.outreach.public_urls")),
    path("", include("tsunagari.needs.public_urls")),
    path("", include("tsunagari.reachout.public_urls")),
    path("api/hsds/", include("tsunagari.directory.api_urls")),
    path("o/<slug:org_slug>/", include("tsunagari.orgs.urls")),
    path("o/<slug:org_slug>/audit/", include("tsunagari.audit.urls")),
    path("o/<slug:org_slug>/directory/", include("tsunagari.directory.staff_urls")),
    path("o/<slug:org_slug>/people/", include(case_urls.people_patterns)),
    path("o/<slug:org_slug>/cases/", include(case_urls.case_patterns)),
    path("o/<slug:org_slug>/needs/", include("tsunagari.needs.urls")),
    path("o/<slug:org_slug>/watch/", include("tsunagari.watch.urls")),
    path("o/<slug:org_slug>/meetings/", include("tsunagari.meetings.urls")),
    path("meetings/", include(meeting_urls.public_patterns)),
    path("o/<slug:org_slug>/secretariat/", include("tsunagari.outreach.urls")),
    path("o/<slug:org_slug>/requests/", include("tsunagari.reachout.urls")),
    path("notifications/", include("tsunagari.notifications.urls")),
    path("line/", include("tsunagari.line.urls")),
    path("events/", include("tsunagari.events.urls")),
    path("o/<slug:org_slug>/events/", include(event_urls.staff_patterns)),
    path("training/", include("tsunagari.training.urls")),
    path("o/<slug:org_slug>/supporters/", include(training_urls.staff_patterns)),
]
