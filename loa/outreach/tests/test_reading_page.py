"""The reading page (`outreach:read`): what a GET costs, the first time and after."""

import pytest
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.library.tests.factories import make_document
from loa.outreach.tests.test_dispatch import make_dispatch, send

pytestmark = pytest.mark.django_db

# A GET after the first: the user (the session is in the database here, in Redis in production:
# one more here), the delivery with its dispatch, agency and person; the menu's person, roles and
# unread count; the documents, their attachments; the other files.
READ_AGAIN = 9
# The first GET also records the open: the update and its audit row, in a savepoint here.
FIRST_OPEN = READ_AGAIN + 4


@pytest.mark.parametrize("documents", [1, 4])
def test_reading_costs_the_same_queries_whatever_the_documents_and_reading_again_writes_nothing(
    world,
    client_for,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
    documents,
):
    dispatch = make_dispatch(world, whole_agency=True)
    dispatch.documents.set(
        [make_document(world.admin, f"{100 + n}/QĐ-UBND") for n in range(documents)]
    )
    dispatch = send(world, dispatch, django_capture_on_commit_callbacks)
    url = reverse("outreach:read", args=[dispatch.deliveries.get(person=world.staff_a).pk])
    client = client_for(world.staff_a.user)

    with django_assert_num_queries(FIRST_OPEN):
        first = client.get(url)
    with django_assert_num_queries(READ_AGAIN):
        again = client.get(url)

    for page in (first, again):
        text = page.content.decode()
        assert dispatch.title in text and world.agency.name in text
        assert "103/QĐ-UBND" in text if documents == 4 else "101/QĐ-UBND" not in text
    opened = AuditEntry.objects.filter(action="delivery_open", actor=world.staff_a.user)
    assert opened.count() == 1  # the first open only
    delivery = dispatch.deliveries.get(person=world.staff_a)
    assert delivery.opened_at and delivery.opened_channel == "inbox"
