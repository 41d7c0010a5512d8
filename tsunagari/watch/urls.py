from django.urls import path

from . import views

app_name = "watch"
urlpatterns = [
    path("", views.home, name="home"),
    path("people/new/", views.target_new, name="target_new"),
    path("people/<int:target_pk>/", views.target_detail, name="target_detail"),
    path("people/<int:target_pk>/contact/", views.contact, name="contact"),
    path("contacts/<int:contact_pk>/urgent/", views.contact_urgent, name="contact_urgent"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:alert_pk>/follow-up/", views.alert_follow_up, name="alert_follow_up"),
    path("sos/new/", views.sos_new, name="sos_new"),
    path("sos/mine/", views.sos_mine, name="sos_mine"),
    path("sos/mine/<int:sos_pk>/", views.sos_guidance, name="sos_guidance"),
    path("sos/", views.sos_queue, name="sos_queue"),
    path("sos/<int:sos_pk>/", views.sos_detail, name="sos_detail"),
    path("on-call/", views.oncall_list, name="oncall_list"),
    path("on-call/new/", views.oncall_edit, name="oncall_new"),
    path("on-call/<int:shift_pk>/", views.oncall_edit, name="oncall_edit"),
    path("district-contacts/", views.district_contacts, name="district_contacts"),
    path("district-contacts/new/", views.district_contact_edit, name="district_contact_new"),
    path(
        "district-contacts/<int:district_contact_pk>/",
        views.district_contact_edit,
        name="district_contact_edit",
    ),
    path("overview/", views.overview, name="overview"),
]
