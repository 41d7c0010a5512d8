"""A new data key re-encrypts every value and recomputes every blind index under it (issue 16 review):
an index left under the old key finds nothing once the old key is dropped — a LINE account's notifications
would stop as if the member had unlinked it, and a repeated contact request would go unnoticed."""

from __future__ import annotations

from django.utils import timezone

from tests.factories import UserFactory
from tsunagari.cases import services
from tsunagari.crypto import generate_key
from tsunagari.line.models import LineLink
from tsunagari.line.services import user_index
from tsunagari.reachout.models import ContactRequest
from tsunagari.reachout.services import _contact_index


def test_rotation_recomputes_the_blind_indexes_of_line_links_and_contact_requests(db, settings):
    link = LineLink.objects.create(
        user=UserFactory(), line_user_id="U0123456789abcdef", line_user_index=user_index("U0123456789abcdef")
    )
    request = ContactRequest.objects.create(
        reference="R-KEYS-0001", pin_hash="-", means="phone", name="架空 月子", phone="0857-00-1234",
        contact_index=_contact_index("phone", "0857-00-1234", "", None), due_at=timezone.now(),
    )  # fmt: skip
    before = (link.line_user_index, request.contact_index)

    settings.DATA_ENCRYPTION_KEYS = [generate_key(), *settings.DATA_ENCRYPTION_KEYS]
    services.rotate_data_key()
    settings.DATA_ENCRYPTION_KEYS = settings.DATA_ENCRYPTION_KEYS[:1]  # the old key is dropped

    link.refresh_from_db()
    request.refresh_from_db()
    assert (link.line_user_index, request.contact_index) != before
    assert LineLink.objects.get(line_user_index=user_index("U0123456789abcdef")) == link
    assert (
        ContactRequest.objects.get(contact_index=_contact_index("phone", "0857-00-1234", "", None)) == request
    )
