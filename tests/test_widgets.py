"""Widgets render through the project's engine (settings.FORM_RENDERER) and templates/django/forms/widgets/
select.html writes each option inline: the markup must be Django's own, option for option."""

from __future__ import annotations

import re

from django import forms
from django.forms.renderers import DjangoTemplates


class Choices(forms.Form):
    one = forms.ChoiceField(choices=[("", "どれでも"), ("a", "あ <b>"), ("b", "い")])
    grouped = forms.ChoiceField(choices=[("地区", [("1", "中央"), ("2", "北浜")]), ("3", "市外")])
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")], widget=forms.SelectMultiple(attrs={"size": 3})
    )


def _markup(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def test_selects_render_as_djangos_own_templates_do():
    form = Choices({"one": "a", "grouped": "2", "many": ["x", "z"]})
    assert form.is_valid()
    ours = {name: form[name].as_widget() for name in form.fields}
    form.renderer = DjangoTemplates()  # Django's own widget templates
    theirs = {name: form[name].as_widget() for name in form.fields}
    assert {k: _markup(v) for k, v in ours.items()} == {k: _markup(v) for k, v in theirs.items()}
    assert '<option value="a" selected>あ &lt;b&gt;</option>' in ours["one"]  # escaped, selected
    assert '<optgroup label="地区">' in ours["grouped"] and ours["many"].count(" selected") == 2


def test_the_projects_select_template_is_the_one_used():
    from django.forms.renderers import get_default_renderer

    origin = get_default_renderer().get_template("django/forms/widgets/select.html").template.origin.name
    assert origin.endswith("tsunagari/templates/django/forms/widgets/select.html")
