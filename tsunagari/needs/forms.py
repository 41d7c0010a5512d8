from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.forms import CategoryChoiceField
from tsunagari.directory.selectors import category_terms
from tsunagari.orgs.models import District, Organization

from .models import AgeBand, GapIssue, GapIssueEntry, HouseholdType, NeedReport, SystemFit
from .services import ReportData, check_description


class MonthField(forms.CharField):
    """A month typed as 2026-04 (the browser's month picker) or 2026年4月 / 2026/4; cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-04", "inputmode": "numeric"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = unicodedata.normalize("NFKC", str(value or "")).strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?(?:\s*[-/]\s*\d{1,2})?", text)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 9999:
            raise ValidationError(_("Enter a month like 2026-04."), code="month")
        return date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, date) else value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and (value > timezone.localdate() or value.year < 2000):
            raise ValidationError(_("Choose a month that has already begun."), code="month_range")


class NeedReportForm(forms.Form):
    period = MonthField(label=_("Month noticed"))
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all())
    categories = CategoryChoiceField(
        label=_("Kinds of trouble"), queryset=category_terms(), widget=forms.CheckboxSelectMultiple
    )
    # A blank first choice, so that nothing is reported by default.
    age_band = forms.ChoiceField(label=_("Age"), choices=[("", "---------"), *AgeBand.choices])
    household_type = forms.ChoiceField(
        label=_("Household type"), choices=[("", "---------"), *HouseholdType.choices]
    )
    count = forms.IntegerField(
        label=_("Number of people or households"), min_value=1, max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    system_fit = forms.ChoiceField(
        label=_("Does an existing system fit?"), choices=SystemFit.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Short description"), required=False, max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No names, phone numbers, addresses or dates of birth: 「70代の女性、買い物に困っている」."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["categories"]).queryset = category_terms()

    def clean_description(self) -> str:
        text = self.cleaned_data.get("description", "")
        try:
            check_description(text)
        except ValidationError as error:
            raise ValidationError(error.message_dict["description"]) from error
        return text

    def report_data(self) -> ReportData:
        data = self.cleaned_data
        return ReportData(
            period=data["period"], district_id=data["district"].pk, categories=list(data["categories"]),
            age_band=data["age_band"], household_type=data["household_type"], count=data["count"],
            system_fit=data["system_fit"], description=data["description"],
        )  # fmt: skip


class UploadForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_("Use the template: one row per group of people, up to 5,000 rows."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than 5 MB: split it, or remove what the template does not ask for.")
            )
        return upload


class _ReportChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"#{obj.pk} {obj.period:%Y-%m} {obj.district.name} ({obj.count})"


class GapIssueForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)

    def clean(self) -> dict[str, Any]:
        """Every member reads a gap issue: no personal data in it either."""
        data = super().clean() or {}
        for name in ("title", "summary"):
            try:
                check_description(data.get(name, ""), field=name)
            except ValidationError as error:
                self.add_error(None, error)
        return data

    summary = forms.CharField(
        label=_("What the gap is"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    responsible = forms.ModelMultipleChoiceField(
        label=_("Responsible organisations"), queryset=Organization.objects.filter(is_active=True),
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    reports = _ReportChoiceField(
        label=_("Reports it groups"), queryset=NeedReport.objects.none(), required=False,
        widget=forms.MultipleHiddenInput,
    )  # fmt: skip

    def __init__(self, *args: Any, reports: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["reports"]).queryset = reports


class GapStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GapIssue.Status.choices)
    responsible = forms.ModelMultipleChoiceField(
        label=_("Responsible organisations"), queryset=Organization.objects.filter(is_active=True),
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class GapEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=GapIssueEntry.Kind.choices, initial=GapIssueEntry.Kind.NOTE
    )
    text = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, can_decide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_decide:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (GapIssueEntry.Kind.NOTE.value, GapIssueEntry.Kind.NOTE.label)
            ]
