"""``meetings:`` under /o/<org_slug>/meetings/, and ``meetings_public:`` (public minutes, calendar feed)."""

from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("register/", views.register, name="register"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("propose/<int:case_pk>/", views.case_propose, name="case_propose"),
    path("proposals/<int:proposal_pk>/decline/", views.proposal_decline, name="proposal_decline"),
    path("<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:meeting_pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("<int:meeting_pk>/items/case/", views.item_add_case, name="item_add_case"),
    path("<int:meeting_pk>/items/topic/", views.item_add_topic, name="item_add_topic"),
    path("<int:meeting_pk>/release/", views.meeting_release, name="meeting_release"),
    path("<int:meeting_pk>/confirm/", views.meeting_confirm, name="meeting_confirm"),
    path("<int:meeting_pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("<int:meeting_pk>/approve/", views.meeting_approve, name="meeting_approve"),
    path("<int:meeting_pk>/publish/", views.meeting_publish, name="meeting_publish"),
    path("<int:meeting_pk>/items/<int:item_pk>/", views.item_detail, name="item_detail"),
    path("<int:meeting_pk>/items/<int:item_pk>/minutes/", views.item_minutes, name="item_minutes"),
    path("<int:meeting_pk>/items/<int:item_pk>/actions/", views.item_action, name="item_action"),
    path("<int:meeting_pk>/items/<int:item_pk>/amend/", views.item_amend, name="item_amend"),
    path("<int:meeting_pk>/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
]

public_patterns = (
    [
        path("minutes/", views.public_minutes, name="minutes"),
        path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    ],
    "meetings_public",
)
