from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_dashboard, name="dashboard"),
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:membership_pk>/", views.member_edit, name="member_edit"),
    path("invitations/<int:invitation_pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:application_pk>/", views.application_detail, name="application_detail"),
]
