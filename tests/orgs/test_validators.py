import pytest
from django.core.exceptions import ValidationError

from tsunagari.orgs.validators import corporate_number_check_digit, validate_corporate_number


@pytest.mark.parametrize(
    "number",
    [
        "7000012050002",  # 国税庁
        "4000012090001",  # 内閣府 (published 法人番号)
        "2000012010019",  # 内閣官房
    ],
)
def test_corporate_number_accepts_published_numbers(number):
    validate_corporate_number(number)


def test_corporate_number_check_digit_matches_rule():
    assert corporate_number_check_digit("000012050002") == 7


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("8000012050002", "check_digit"),
        ("700001205000", "format"),
        ("70000120500021", "format"),
        ("７０００１２０５０００２", "format"),  # full-width digits
        ("70000-2050002", "format"),
    ],
)
def test_corporate_number_rejects_bad_numbers_with_reason(number, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_corporate_number(number)
    assert excinfo.value.code == code
