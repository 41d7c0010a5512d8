"""The platform's default taxonomy: the 27 困りごと categories of data/taxonomy.csv.

Their HSDS ids are those of the benchmark city's directory package, so that importing it updates
these terms in place; other packages' copies of the same codes are mapped onto them by code.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

TAXONOMY_CSV = Path(__file__).parent / "data" / "taxonomy.csv"
CATEGORY_TAXONOMY_ID = uuid.UUID("30873c57-ee2d-5941-88ee-551ed2c296d3")
DISTRICT_TAXONOMY_ID = uuid.UUID("9cfea9ff-12bb-530a-bc2b-a46466cbedcb")
DISTRICT_CODE_PREFIX = "district_"
CATEGORY_TAXONOMY_NAME = "つながりナビ 相談分類（27区分）"


def category_rows() -> list[dict[str, str]]:
    with TAXONOMY_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def install_default_taxonomy(taxonomy_model, term_model) -> None:  # type: ignore[no-untyped-def]
    """Create or update the category taxonomy and its terms (used by a data migration, so it takes
    the historical model classes)."""
    taxonomy, _ = taxonomy_model.objects.update_or_create(
        pk=CATEGORY_TAXONOMY_ID,
        defaults={
            "name": CATEGORY_TAXONOMY_NAME,
            "description": "孤独・孤立対策プラットフォームで、支援サービスを「誰の・どんな困りごとを助けるか」で分類するための27区分。",
            "version": "1.0",
        },
    )
    for order, row in enumerate(category_rows(), start=1):
        term_model.objects.update_or_create(
            pk=uuid.UUID(row["id"]),
            defaults={
                "taxonomy_ref_id": taxonomy.pk,
                "taxonomy": taxonomy.name,
                "code": row["code"],
                "name": row["label_ja"],
                "name_en": row["label_en"],
                "description": row["description_ja"],
                "language": "ja",
                "is_crisis": row["crisis"].strip().lower() == "true",
                "sort_order": order,
            },
        )
