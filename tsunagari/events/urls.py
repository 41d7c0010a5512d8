from django.urls import path

from .views import public, staff

app_name = "events"

urlpatterns = [
    path("", public.event_list, name="list"),
    path("calendar.ics", public.calendar_feed, name="calendar"),
    path("<int:pk>/", public.event_detail, name="detail"),
    path("<int:pk>/event.ics", public.event_ics, name="ics"),
    path("<int:pk>/register/", public.register, name="register"),
    path("<int:pk>/survey/", public.survey, name="survey"),
    path("registered/", public.registered, name="registered"),
    path("manage/<str:token>/", public.manage, name="manage"),
]

staff_patterns = (
    [
        path("", staff.event_list, name="list"),
        path("new/", staff.event_new, name="new"),
        path("<int:event_pk>/edit/", staff.event_edit, name="edit"),
        path("<int:event_pk>/registrations/", staff.registrations, name="registrations"),
        path("<int:event_pk>/registrations.<str:fmt>", staff.export, name="export"),
        path("<int:event_pk>/door/", staff.attendance, name="attendance"),
        path("<int:event_pk>/door/walk-in/", staff.walk_in, name="walk_in"),
        path("<int:event_pk>/door/<int:registration_pk>/", staff.check_in, name="check_in"),
    ],
    "events_staff",
)
