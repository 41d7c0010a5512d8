"""Query lookups Django leaves unguarded.

Django answers ``pk=2**64`` with an empty result (its IntegerFieldOverflow lookups), but ``pk__in=[2**64]``
reaches the database driver: SQLite raises OverflowError and PostgreSQL "bigint out of range", a 500 for
any ModelMultipleChoiceField given a huge id. Values outside the column's range cannot match a row, so
they are dropped, as Django does for the other integer lookups."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            kept = [
                v for v in self.rhs
                if not isinstance(v, int) or ((low is None or v >= low) and (high is None or v <= high))
            ]  # fmt: skip
            if not kept and self.rhs:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)
