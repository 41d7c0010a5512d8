from django.urls import path

from . import case_views

app_name = "case_pages"
urlpatterns = [
    path("", case_views.case_list, name="case_list"),
    path("queue/", case_views.case_queue, name="case_queue"),
    path("inbox/", case_views.inbox, name="inbox"),
    path("tasks/", case_views.task_list, name="task_list"),
    path("outcomes/", case_views.outcomes, name="outcomes"),
    path("overdue/", case_views.overdue, name="overdue"),
    path("referrals/<int:referral_pk>/answer/", case_views.referral_answer, name="referral_answer"),
    path("referrals/<int:referral_pk>/cancel/", case_views.referral_cancel, name="referral_cancel"),
    path("open/<int:person_pk>/", case_views.case_open, name="case_open"),
    path("open-household/<int:household_pk>/", case_views.case_open_household, name="case_open_household"),
    path("<int:case_pk>/", case_views.case_detail, name="case_detail"),
    path("<int:case_pk>/share/", case_views.case_share, name="case_share"),
    path("<int:case_pk>/refer/", case_views.referral_send, name="referral_send"),
    path("<int:case_pk>/notes/", case_views.note_add, name="note_add"),
    path("<int:case_pk>/tasks/", case_views.task_add, name="task_add"),
    path("<int:case_pk>/plan/", case_views.plan_edit, name="plan_edit"),
    path("<int:case_pk>/edit/", case_views.case_edit, name="case_edit"),
    path("<int:case_pk>/assessments/<slug:instrument>/", case_views.assessment_add, name="assessment_add"),
    path("<int:case_pk>/notes/<int:note_pk>/", case_views.note_edit, name="note_edit"),
    path("<int:case_pk>/consent/", case_views.consent_record, name="consent_record"),
    path(
        "<int:case_pk>/consent/<int:consent_pk>/withdraw/",
        case_views.consent_withdraw,
        name="consent_withdraw",
    ),
]
