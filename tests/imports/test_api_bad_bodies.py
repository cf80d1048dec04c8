"""``POST /api/imports/`` with bodies that are not what it expects: a
clear 400, never a 500; a role that may import nothing is refused before the body is read."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.imports import services
from tests.factories import api_as

pytestmark = pytest.mark.django_db
URL = "/api/imports/"


def post_json(client, text: str):
    return client.generic("POST", URL, text, content_type="application/json")


@pytest.mark.parametrize("body", ["[1, 2]", '"assets"', "null", "42", "[]", "true"])
def test_a_json_body_that_is_not_an_object_is_a_clear_400(operator, body):
    response = post_json(api_as(operator), body)
    assert response.status_code == 400
    assert "JSON object" in response.json()["detail"]


@pytest.mark.parametrize("body", ["[1, 2]", '"assets"', "null", "42", '{"kind": "assets"}'])
def test_a_role_that_may_import_nothing_is_refused_before_the_body_is_read(read_only_user, body):
    response = post_json(api_as(read_only_user), body)
    assert response.status_code == 403


def test_malformed_json_is_a_400(operator):
    response = post_json(api_as(operator), '{"kind": ')
    assert response.status_code == 400


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    operator, municipality_a, monkeypatch
):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1000)
    upload = SimpleUploadedFile("big.csv", b"Name\n" + b"x" * 2000, content_type="text/csv")
    response = api_as(operator).post(
        URL,
        {"kind": "service-areas", "municipality": municipality_a.pk, "file": upload},
        format="multipart",
    )
    assert response.status_code == 400
    assert "larger than" in json.dumps(response.json())


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "PNG"),
        ("program.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "program"),
        ("cr.csv", "Tjenesteområde;Ansvar\rOppvekst;2000\r".encode("cp1252"), None),
    ],
)
def test_binary_and_cr_only_files_through_the_api(operator, municipality_a, name, data, words):
    response = api_as(operator).post(
        URL,
        {
            "kind": "service-areas",
            "municipality": municipality_a.pk,
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
        format="multipart",
    )
    body = response.json()
    if words is None:
        assert response.status_code == 200, body
        assert body["created"] == 1
    else:
        assert response.status_code == 400
        assert words in body["errors"][0]["message"]


@pytest.mark.parametrize("kind", ['["assets"]', '{"a": 1}', "null", "7"])
def test_a_kind_that_is_not_text_is_a_400(operator, kind):
    response = post_json(api_as(operator), f'{{"kind": {kind}, "content": "x"}}')
    assert response.status_code == 400
    assert "kind" in response.json()
