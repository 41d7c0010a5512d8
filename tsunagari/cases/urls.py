"""Two namespaces: ``people:`` (people and households, under /people/) and ``cases:`` (cases, their
referrals, notes, tasks and assessments, under /cases/). The project's urls.py includes each."""

from django.urls import path

from .views import cases, households, people, referrals

people_patterns = (
    [
        path("", people.person_list, name="person_list"),
        path("new/", people.person_register, name="person_register"),
        path("<int:person_pk>/", people.person_detail, name="person_detail"),
        path("households/", households.household_list, name="household_list"),
        path("households/new/", households.household_create, name="household_create"),
        path("households/<int:household_pk>/", households.household_detail, name="household_detail"),
        path(
            "households/<int:household_pk>/members/",
            households.household_member_add,
            name="household_member_add",
        ),
        path(
            "households/<int:household_pk>/members/<int:member_pk>/remove/",
            households.household_member_remove,
            name="household_member_remove",
        ),
    ],
    "people",
)

case_patterns = (
    [
        path("", cases.case_list, name="case_list"),
        path("queue/", cases.case_queue, name="case_queue"),
        path("inbox/", referrals.inbox, name="inbox"),
        path("tasks/", cases.task_list, name="task_list"),
        path("outcomes/", cases.outcomes, name="outcomes"),
        path("overdue/", referrals.overdue, name="overdue"),
        path("reviews/", cases.sharing_reviews, name="sharing_reviews"),
        path("referrals/<int:referral_pk>/answer/", referrals.referral_answer, name="referral_answer"),
        path("referrals/<int:referral_pk>/cancel/", referrals.referral_cancel, name="referral_cancel"),
        path("open/<int:person_pk>/", cases.case_open, name="case_open"),
        path("open-household/<int:household_pk>/", cases.case_open_household, name="case_open_household"),
        path("<int:case_pk>/", cases.case_detail, name="case_detail"),
        path("<int:case_pk>/share/", cases.case_share, name="case_share"),
        path("<int:case_pk>/refer/", referrals.referral_send, name="referral_send"),
        path("<int:case_pk>/notes/", cases.note_add, name="note_add"),
        path("<int:case_pk>/tasks/", cases.task_add, name="task_add"),
        path("<int:case_pk>/plan/", cases.plan_edit, name="plan_edit"),
        path("<int:case_pk>/edit/", cases.case_edit, name="case_edit"),
        path("<int:case_pk>/assessments/<slug:instrument>/", cases.assessment_add, name="assessment_add"),
        path("<int:case_pk>/notes/<int:note_pk>/", cases.note_edit, name="note_edit"),
        path("<int:case_pk>/consent/", cases.consent_record, name="consent_record"),
        path("<int:case_pk>/consent/<int:consent_pk>/scan/", cases.consent_scan, name="consent_scan"),
        path(
            "<int:case_pk>/consent/<int:consent_pk>/withdraw/",
            cases.consent_withdraw,
            name="consent_withdraw",
        ),
    ],
    "cases",
)
