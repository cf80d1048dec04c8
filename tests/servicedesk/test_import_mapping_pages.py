"""The source mapping pages, and mapping an import's unmapped values from its preview."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.imports.models import ImportUpload
from samdrift.servicedesk.models import SourceMapping
from tests.factories import client_for, make_service

pytestmark = pytest.mark.django_db

LOG = (
    "number;opened_at;priority;state;company;category;sys_updated_on\n"
    "INC1;02.03.2026 08:00;2 - High;New;Fjordvik IKT;E-post;02.03.2026 08:00\n"
    "INC2;02.03.2026 09:00;2 - High;New;Fjordvik IKT;Skrivere;02.03.2026 09:00\n"
)


def test_an_operator_maps_the_unmapped_values_of_a_preview_and_checks_again(
    operator, municipality_a
):
    service = make_service(name="Utskrift", code="utskrift")
    client = client_for(operator)
    response = client.post(
        "/imports/",
        {
            "kind": "incidents",
            "file": SimpleUploadedFile("incidents.csv", LOG.encode()),
            "on": "2026-03-02",
        },
    )
    upload = ImportUpload.objects.get()
    assert response.status_code == 302
    page = client.get(f"/imports/{upload.pk}/")
    assert b'data-testid="unmapped-values"' in page.content
    assert "Fjordvik IKT" in page.content.decode()

    preview = f"/imports/{upload.pk}/"
    for column, value, target in (
        ("company", "Fjordvik IKT", {"municipality": municipality_a.pk}),
        ("category", "Skrivere", {"service": service.pk}),
    ):
        response = client.post(
            "/service/mappings/add/",
            {"source": "servicenow", "column": column, "value": value, "next": preview, **target},
        )
        assert response.status_code == 302 and response["Location"] == preview
    assert SourceMapping.objects.count() == 2
    client.post(f"/imports/{upload.pk}/recheck/")
    upload.refresh_from_db()
    assert upload.result["ok"], upload.result["errors"]
    unmapped = {(u["column"], u["value"]) for u in upload.result["details"]["unmapped"]}
    assert unmapped == {("category", "E-post")}


def test_the_mappings_page_adds_edits_and_deletes(operator, municipality_a, municipality_b):
    client = client_for(operator)
    response = client.post(
        "/service/mappings/",
        {"source": "glpi", "column": "location", "value": "Rådhuset", "municipality": ""},
    )
    assert response.status_code == 400  # neither municipality nor service
    assert "municipality" in response.content.decode().lower()
    response = client.post(
        "/service/mappings/",
        {
            "source": "glpi",
            "column": "location",
            "value": "Rådhuset",
            "municipality": municipality_a.pk,
        },
    )
    assert response.status_code == 302
    mapping = SourceMapping.objects.get()
    response = client.post(
        f"/service/mappings/{mapping.pk}/",
        {
            "source": "glpi",
            "column": "location",
            "value": "Rådhus",
            "municipality": municipality_b.pk,
        },
    )
    assert response.status_code == 302
    renamed = SourceMapping.objects.get()
    assert (renamed.value, renamed.municipality) == ("Rådhus", municipality_b)
    assert "Rådhus" in client.get("/service/mappings/?source=glpi").content.decode()
    client.post(f"/service/mappings/{renamed.pk}/delete/")
    assert not SourceMapping.objects.exists()


def test_a_municipality_contact_may_not_see_or_change_mappings(contact_a, municipality_a):
    client = client_for(contact_a)
    assert client.get("/service/mappings/").status_code == 403
    response = client.post(
        "/service/mappings/add/",
        {"source": "glpi", "column": "location", "value": "X", "municipality": municipality_a.pk},
    )
    assert response.status_code == 403
    assert not SourceMapping.objects.exists()
