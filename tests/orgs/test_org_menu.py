"""The organisation menu is kept per organisation, role, page and language (orgs/templatetags/org_menu.py):
a kept menu must always be the one the template would write."""

from unittest import mock

from django.conf import settings
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.orgs.models import Role
from tsunagari.orgs.templatetags import org_menu


def _menu(response) -> str:
    html = response.content.decode()
    start = html.index('<nav class="org-nav"')
    return html[start : html.index("</nav>", start)]


def test_the_menu_is_rendered_once_then_kept(org_a):
    client = client_for(make_member(org_a, Role.STAFF))
    url = reverse("cases:case_list", args=[org_a.slug])
    with mock.patch.object(org_menu, "render_to_string", wraps=org_menu.render_to_string) as rendered:
        first = _menu(client.get(url))
        second = _menu(client.get(url))
    assert rendered.call_count == 1
    assert first == second and org_a.name in first


def test_the_current_page_is_marked_on_each_page(org_a):
    client = client_for(make_member(org_a, Role.STAFF))
    cases = reverse("cases:case_list", args=[org_a.slug])
    tasks = reverse("cases:task_list", args=[org_a.slug])
    on_cases, on_tasks = _menu(client.get(cases)), _menu(client.get(tasks))
    assert f'href="{cases}" aria-current="page"' in on_cases
    assert f'href="{tasks}" aria-current="page"' not in on_cases
    assert f'href="{tasks}" aria-current="page"' in on_tasks
    assert f'href="{cases}" aria-current="page"' not in on_tasks


def test_a_new_role_a_new_name_and_another_language_show_at_once(org_a, org_b):
    staff = make_member(org_a, Role.STAFF)
    client = client_for(staff)
    url = reverse("needs:dashboard", args=[org_a.slug])
    people = reverse("people:person_list", args=[org_a.slug])
    assert people in _menu(client.get(url))

    staff.role = Role.VIEWER  # a viewer's menu has no people or cases
    staff.save(update_fields=["role"])
    assert people not in _menu(client.get(url))

    org_a.name = "改名した法人"
    org_a.save(update_fields=["name"])
    assert "改名した法人" in _menu(client.get(url))

    other = _menu(
        client_for(make_member(org_b, Role.VIEWER)).get(reverse("needs:dashboard", args=[org_b.slug]))
    )
    assert org_b.name in other and "改名した法人" not in other

    japanese = _menu(client.get(url))
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    english = _menu(client.get(url))
    assert "困りごと" in japanese and "Needs" not in japanese
    assert "Needs" in english and "困りごと" not in english
