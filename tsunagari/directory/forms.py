from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.orgs.models import District
from tsunagari.orgs.validators import validate_phone_number

from .models import Service, TaxonomyTerm
from .navigator import directory_index
from .selectors import category_terms

# Who a service is for, by age (HSDS minimum_age / maximum_age).
AUDIENCES = {
    "children": (_("Children (under 18)"), 0, 17),
    "youth": (_("Young people (15–39)"), 15, 39),
    "adults": (_("Adults (18–64)"), 18, 64),
    "elderly": (_("Older people (65+)"), 65, 150),
}


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TaxonomyTerm) -> str:  # type: ignore[override]
        return obj.label


class NavigatorForm(forms.Form):
    text = forms.CharField(
        label=_("Tell us what is troubling you, in your own words"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "For example: 誰とも話していない, 家賃が払えない, 親の介護がつらい. What you write is not saved."
        ),
    )
    district = forms.ModelChoiceField(
        label=_("Your district (optional)"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Any district"),
    )
    categories = forms.MultipleChoiceField(
        label=_("Kinds of trouble"), required=False, widget=forms.CheckboxSelectMultiple
    )
    refine = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The kinds of trouble kept with the navigator's index (one small query instead of reading them all);
        # also the answer's labels (views/public.py).
        self.terms = list(directory_index().terms)
        self.fields["categories"].choices = [(t.code, t.label) for t in self.terms]  # type: ignore[attr-defined]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Kind of trouble"), queryset=TaxonomyTerm.objects.none(), required=False, empty_label=_("Any"),
        to_field_name="code",
    )  # fmt: skip
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("Any district")
    )
    availability = forms.ChoiceField(
        label=_("Availability"), required=False, choices=[("", _("Any")), *Service.Availability.choices]
    )
    audience = forms.ChoiceField(
        label=_("Who it is for"),
        required=False,
        choices=[("", _("Anyone")), *((k, v[0]) for k, v in AUDIENCES.items())],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_terms()  # type: ignore[attr-defined]
        self.fields["category"].label_from_instance = lambda t: t.label  # type: ignore[attr-defined]


class ServiceForm(forms.ModelForm):
    categories = CategoryChoiceField(
        label=_("Kinds of trouble it helps with (1 to 3)"), queryset=TaxonomyTerm.objects.none(),
        widget=forms.CheckboxSelectMultiple, to_field_name="code",
    )  # fmt: skip
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts covered"),
        queryset=District.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    phone = forms.CharField(
        label=_("Phone number for residents"),
        required=False,
        max_length=30,
        validators=[validate_phone_number],
    )
    hours = forms.CharField(
        label=_("Hours"), required=False, max_length=200, help_text=_("For example: 平日 9時〜17時")
    )

    class Meta:
        model = Service
        fields = [
            "name", "alternate_name", "description", "availability", "visibility", "status", "eligibility_description",
            "application_process", "fees_description", "url", "email", "minimum_age", "maximum_age", "alert",
            "categories", "districts",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "eligibility_description": forms.Textarea(attrs={"rows": 2}),
            "application_process": forms.Textarea(attrs={"rows": 2}),
            "fees_description": forms.Textarea(attrs={"rows": 2}),
            "alert": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = category_terms()  # type: ignore[attr-defined]
        if self.instance.pk:
            phone = self.instance.phones.order_by("pk").first()
            schedule = self.instance.schedules.order_by("pk").first()
            self.initial.setdefault("phone", phone.number if phone else "")
            self.initial.setdefault("hours", schedule.description if schedule else "")

    def clean_phone(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data.get("phone", "")).strip()

    def clean_categories(self) -> Any:
        chosen = self.cleaned_data["categories"]
        if not 1 <= len(chosen) <= 3:
            raise forms.ValidationError(_("Choose one to three kinds of trouble."))
        return chosen

    def clean(self) -> dict:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age is below the minimum age."))
        return data


class CategoryForm(forms.ModelForm):
    class Meta:
        model = TaxonomyTerm
        fields = ["name", "name_en", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
