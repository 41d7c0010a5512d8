"""No 500 from hostile input, anywhere (issue 15, finding 9).

Every URL is found by walking the URL configuration (as the URL matrix does). Each page is fetched as a
member of the role it needs (organisation pages) or anonymously (public pages) with hostile path
arguments and query parameters; then every <form> on the page is submitted with hostile values, one
field at a time (Hypothesis draws which value and which field) and all fields at once. A server error
anywhere fails the test with the request that caused it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_member
from tests.orgs.test_url_matrix import KWARG_PROVIDERS, ORG_URLS, OrgUrl, _walk
from tsunagari.directory.models import Service
from tsunagari.orgs.models import Membership, Organization, Role

# Values that broke forms and URLs before, by class: not a number, a number no column holds, control
# characters, text far beyond any field, odd Unicode, markup, dates that do not exist.
HOSTILE = [
    "abc", "-1", "0", "1.5", "18446744073709551616", "9" * 40, "１２", " 7 ", "1e9", "NaN",
    "\x00", "a\x00b", "\r\n", "x" * 200_000, "𠮷野家🍣" * 3, "\u202e", "<script>alert(1)</script>", "'\"--",
    "2026-02-30", "9999-99-99", "../../etc/passwd", "%", "[]", "{}", "null", "true", "",
]  # fmt: skip
PATH_INTS = ["0", "18446744073709551616", "9" * 40]
PATH_STRS = ["x", "..", "%E3%81%82", "9" * 40, "a" * 300]
COMMON_QUERY = ["page", "q", "search", "category", "district", "mine", "status", "person", "reports", "next",
                "from", "format", "sort", "per_page", "month", "period", "kind", "minimal", "full_service"]  # fmt: skip
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str))
FUZZ = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SKIP_ROUTES = ("accounts/",)
SKIP_ACTIONS = ("/accounts/logout/",)  # signing out would end the fuzzing session
# Names posted to a page that has no form of its own on it (POST-only actions and forms shown elsewhere).
COMMON_POST = ["case", "task", "organization", "consent", "action", "person", "reports", "responsible", "status",
               "reason", "note", "outcome", "confirm", "text", "next", "from", "availability", "org", "role",
               "version", "result", "method", "sign", "title", "due_on", "member", "relation"]  # fmt: skip  # allauth's own pages (its forms are its own; sign-in is fuzzed below)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form((a.get("method") or "get").lower(), a.get("action") or ""))
        elif not self.forms:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self.forms[-1].fields.setdefault(a["name"], "")
            else:
                self.forms[-1].fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1].fields.setdefault(a["name"], "")
        elif tag == "option" and self._select and not self.forms[-1].fields.get(self._select):
            self.forms[-1].fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_on(html: str, path: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = urlsplit(form.action).path or path
    return [f for f in parser.forms if f.action.startswith("/") and not f.action.startswith("/static/")]


def _monitoring_answer(path: str, response) -> bool:
    """/healthz answers 503 by design while no background worker runs (as in these tests), naming the
    problems: that is monitoring's answer, not a server error."""
    return (
        path.split("?")[0] == reverse("healthz")
        and response.status_code == 503
        and bool(json.loads(response.content).get("problems"))
    )


class Fuzzer:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.failures: list[str] = []
        self.seen: set[tuple[str, str, tuple[str, ...]]] = set()  # forms already swept in this test
        self.requests = 0

    def request(self, method: str, path: str, data: dict) -> str:
        self.requests += 1
        try:
            response = getattr(self.client, method)(path, data)
        except Exception as error:  # the test client re-raises what the view raised
            self.failures.append(f"{method.upper()} {path} {_short(data)}: {type(error).__name__}: {error}")
            return ""
        if response.status_code >= 500 and not _monitoring_answer(path, response):
            self.failures.append(f"{method.upper()} {path} {_short(data)}: {response.status_code}")
        is_html = "html" in response.get("Content-Type", "")
        return response.content.decode(errors="replace") if is_html and response.status_code == 200 else ""

    def sweep(self, path: str) -> list[Form]:
        """The fixed hostile values once: each in every common query parameter, and each class that broke
        forms before in all fields of every form on the page (and, for a page without a form of its own,
        in the common field names posted to it). Returns the page's forms that are new in this test."""
        html = self.request("get", path, {})
        for value in (v for v in HOSTILE if len(v) < 1000):
            self.request("get", path, dict.fromkeys(COMMON_QUERY, value))
        forms = []
        for form in forms_on(html, path):
            key = (form.method, form.action, tuple(sorted(form.fields)))
            if key not in self.seen and not form.action.startswith(SKIP_ACTIONS):
                self.seen.add(key)
                forms.append(form)
        if not any(f.action == path for f in forms):
            forms.append(Form("post", path, dict.fromkeys(COMMON_POST, "1")))
        for form in forms:
            names = [n for n in form.fields if n != "csrfmiddlewaretoken"]
            for value in ("abc", "18446744073709551616", "\x00", "x" * 200_000):
                self.request(form.method, form.action, form.fields | dict.fromkeys(names, value))
        return forms

    def draw(self, path: str, forms: list[Form], data: st.DataObject) -> None:
        """One hostile value (drawn by Hypothesis) in one field of each form, and drawn query parameters."""
        for form in forms:
            names = [n for n in form.fields if n != "csrfmiddlewaretoken"]
            if names:
                name = data.draw(st.sampled_from(names), label="field")
                self.request(form.method, form.action, form.fields | {name: data.draw(values, label=name)})
        query = data.draw(st.dictionaries(st.sampled_from(COMMON_QUERY), values, max_size=4), label="query")
        self.request("get", path, query)

    def fuzz(self, paths: list[str]) -> list[str]:
        """paths[0] is the page with good arguments; the rest carry hostile path arguments."""
        for path in paths[1:]:
            self.request("get", path, {})
            self.request("post", path, {})
        forms = self.sweep(paths[0])

        @FUZZ
        @given(st.data())
        def run(data: st.DataObject) -> None:
            self.draw(paths[0], forms, data)

        run()
        return self.failures


def _short(data: dict) -> str:
    return repr({k: (v[:30] + "…" if len(v) > 30 else v) for k, v in data.items()})[:400]


def _path_variants(url: OrgUrl, owner: Membership, org: Organization) -> list[str]:
    converters = _converters(url.name)
    good = {p: KWARG_PROVIDERS[p](owner) for p in url.params}
    paths = [reverse(url.name, kwargs={"org_slug": org.slug, **good})]
    for param in url.params:
        hostile = PATH_INTS if converters[param] == "IntConverter" else PATH_STRS
        for value in hostile:
            try:
                paths.append(reverse(url.name, kwargs={"org_slug": org.slug, **good, param: value}))
            except Exception:  # noqa: S112  (the converter refuses it: the URL cannot be asked for)
                continue
    return paths


def _converters(name: str) -> dict[str, str]:
    for _route, found, pattern in _walk(get_resolver().url_patterns):
        if found == name:
            return {k: type(v).__name__ for k, v in pattern.pattern.converters.items()}
    raise LookupError(name)


@pytest.mark.parametrize("url", ORG_URLS, ids=lambda u: u.name)
def test_no_server_error_on_organisation_pages(url, secretariat, org_a, org_b):
    assert url.access is not None
    secretariat_page = url.access.secretariat_only or url.access.min_role == Role.COORDINATOR
    org = secretariat if secretariat_page else org_a
    member = make_member(org, url.access.min_role)
    make_member(org_b, Role.STAFF)  # another organisation with a member, so ids of others exist
    client = Client()
    client.force_login(member.user)
    paths = _path_variants(url, member, org)
    fuzzer = Fuzzer(client)
    assert fuzzer.fuzz(paths) == []
    assert "_auth_user_id" in client.session, "the fuzzing session was signed out: the pages went untested"


def _public_paths() -> list[str]:
    paths = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("o/", *SKIP_ROUTES)) or not isinstance(pattern, URLPattern) or not name:
            continue
        paths.append((name, dict(pattern.pattern.converters)))
    return sorted({n for n, _ in paths})


def _public_path_variants(name: str) -> list[str]:
    converters = _converters(name)
    service = Service.objects.filter(organization__member__isnull=True).first()
    samples = {"UUIDConverter": [str(service.pk) if service else str(uuid.uuid4()), str(uuid.uuid4())],
               "IntConverter": PATH_INTS, "StringConverter": [str(service.pk) if service else "x", *PATH_STRS]}  # fmt: skip
    if not converters:
        return [reverse(name)]
    paths = []
    for param, converter in converters.items():
        for value in samples.get(converter, PATH_STRS):
            try:
                paths.append(reverse(name, kwargs={param: value}))
            except Exception:  # noqa: S112
                continue
    return paths


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
@pytest.mark.parametrize("name", _public_paths())
def test_no_server_error_on_public_pages(name, signed_in, db, org_a):
    client = _signed_in(make_member(org_a, Role.STAFF)) if signed_in else Client()
    assert Fuzzer(client).fuzz(_public_path_variants(name)) == []


def _signed_in(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_no_server_error_on_sign_in(db):
    assert Fuzzer(Client()).fuzz([reverse("account_login")]) == []


BAD_IDS = ["abc", "18446744073709551616", "-1", "1.5", "\x00", "", "１２", "9" * 40]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_id_fields_answer_malformed_ids_without_a_server_error(world, bad):
    """The id fields the review found (queue, task, consent, gap issue), each with malformed ids."""
    from tests.orgs.test_url_matrix import _case, _consent, _gap_issue

    staff, coordinator = world["staff"], world["coordinator"]
    case = _case(staff)
    consent = _consent(staff)
    issue = _gap_issue(coordinator)
    slug, secretariat = staff.organization.slug, coordinator.organization.slug
    posts = [
        (coordinator, reverse("cases:case_queue", args=[secretariat]), {"case": bad, "organization": bad}),
        (staff, reverse("cases:task_list", args=[slug]), {"task": bad}),
        (staff, reverse("cases:consent_record", args=[slug, case.pk]),
         {"consent-recipients": bad, "consent-info_kinds": "contact", "consent-method": "written"}),
        (staff, reverse("cases:case_share", args=[slug, case.pk]), {"organization": bad, "consent": bad}),
        (staff, reverse("cases:consent_withdraw", args=[slug, case.pk, consent.pk]), {"consent": bad}),
        (coordinator, reverse("needs:gap_new", args=[secretariat]), {"title": "t", "reports": bad, "responsible": bad}),
        (coordinator, reverse("needs:gap_status", args=[secretariat, issue.pk]), {"status": bad, "responsible": bad}),
        (coordinator, reverse("needs:gap_list", args=[secretariat]), {"reports": bad}),
    ]  # fmt: skip
    failures = []
    for member, path, data in posts:
        client = Client()
        client.force_login(member.user)
        try:
            status = client.post(path, data).status_code
        except Exception as error:
            failures.append(f"{path}: {type(error).__name__}: {error}")
            continue
        if status >= 500:
            failures.append(f"{path}: {status}")
    assert failures == [], "\n".join(failures)
