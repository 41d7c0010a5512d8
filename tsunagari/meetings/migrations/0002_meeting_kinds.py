"""The kinds of meeting and what each allows (data, not code). The confidentiality wording paraphrases the
statutory duties; it is marked for review by the city's legal department (docs/data-protection.md) and can be
corrected in the admin or by a later migration without touching code."""

from django.db import migrations

# code, name_ja, name_en, law, carries_cases, case_legal_basis, requires_confidentiality,
# confidentiality_text, confidentiality_law, closed, position
KINDS = [
    (
        "support_meeting", "支援会議", "Support meeting", "社会福祉法 第106条の6", True, "support_meeting", True,
        "私は、支援会議の構成員として、この会議の事務に関して知り得た秘密を、正当な理由なく漏らしません。"
        "会議の資料は会議の目的以外に使わず、会議の後は回収に応じます。この義務は会議の終了後も続きます。",
        "社会福祉法 第106条の6第5項（守秘義務）", True, 10,
    ),
    (
        "multi_agency", "重層的支援会議", "Multi-agency support meeting (重層的支援会議)",
        "重層的支援体制整備事業 実施要綱", True, "consent", False, "", "", True, 20,
    ),
    (
        "regional_council", "孤独・孤立対策地域協議会", "Regional council on loneliness and isolation",
        "孤独・孤立対策推進法", True, "regional_council", True,
        "私は、孤独・孤立対策地域協議会の構成員として、協議会の事務に関して知り得た秘密を漏らしません。"
        "共有された情報は、支援の対象となる方への支援の目的以外に使いません。この義務は協議会を離れた後も続きます。",
        "孤独・孤立対策推進法 第16条（秘密保持義務）", True, 30,
    ),
    ("plenary", "全体会", "Plenary meeting (全体会)", "", False, "", False, "", "", False, 40),
    ("working_group", "分科会", "Working group (分科会)", "", False, "", False, "", "", False, 50),
    ("training_prep", "研修の打合せ", "Training preparation (研修の打合せ)", "", False, "", False, "", "", False, 60),
]
FIELDS = (
    "code", "name_ja", "name_en", "law", "carries_cases", "case_legal_basis", "requires_confidentiality",
    "confidentiality_text", "confidentiality_law", "closed", "position",
)  # fmt: skip


def seed(apps, schema_editor):
    MeetingKind = apps.get_model("meetings", "MeetingKind")
    for row in KINDS:
        values = dict(zip(FIELDS, row, strict=True))
        MeetingKind.objects.update_or_create(code=values.pop("code"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
