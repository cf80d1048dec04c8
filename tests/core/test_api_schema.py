"""The OpenAPI 3 schema and the Swagger UI: generated without warnings, served locally."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from samdrift.core.choices import Role
from samdrift.urls import router
from tests import factories


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """The schema as ``samdrift spectacular --fail-on-warn --validate`` writes it: any
    warning or error of drf-spectacular, or an invalid OpenAPI document, raises here."""
    target = tmp_path_factory.mktemp("schema") / "schema.yaml"
    errors = StringIO()
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(target), stderr=errors
    )
    assert errors.getvalue() == ""
    return yaml.safe_load(target.read_text())


def test_the_schema_generates_without_warnings_and_validates(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Samdrift API"


def test_every_routed_endpoint_is_in_the_schema(schema):
    paths = set(schema["paths"])
    for prefix, _viewset, _basename in router.registry:
        assert any(path.startswith(f"/api/{prefix}/") for path in paths), prefix
    assert "/api/usage-records/{id}/changes/" in paths


def test_token_and_session_auth_are_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["type"] == "apiKey"
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_decimals_are_strings_in_the_schema(schema):
    components = schema["components"]["schemas"]
    for component, field in [
        ("Asset", "acquisition_cost"),
        ("PriceVersion", "amount"),
        ("UsageRecord", "quantity"),
        ("Subscription", "quantity"),
        ("LeaseModel", "annual_rate"),
    ]:
        prop = components[component]["properties"][field]
        assert prop["type"] == "string", (component, field, prop)
        assert prop["format"] == "decimal"


def test_list_endpoints_document_their_filters_and_pagination(schema):
    operation = schema["paths"]["/api/assets/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "municipality", "service_area", "status", "page", "page_size"} <= names
    assert {"acquired_after", "updated_after", "ordering"} <= names
    paginated = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert paginated.endswith("/PaginatedAssetList")


def test_the_schema_is_served_to_signed_in_users_only(db):
    anonymous = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert anonymous.status_code == 401
    assert b"paths" not in anonymous.content
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")
    client = Client()
    client.force_login(
        factories.make_user(Role.MUNICIPALITY, municipality=factories.make_municipality())
    )
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["title"] == "Samdrift API"


class _References(HTMLParser):
    """Every URL a page makes the browser fetch: script src, link href, img src."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        self._in_script = tag == "script" and not attributes.get("src")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_scripts.append(data)


def test_swagger_ui_uses_only_local_assets_and_they_resolve(db):
    client = Client()
    client.force_login(factories.make_user())
    page = client.get("/api/docs/")
    assert page.status_code == 200
    parser = _References()
    parser.feed(page.content.decode())
    assert len(parser.urls) >= 5  # stylesheets, favicon, bundle, preset, start-up script
    # No inline script (the Content-Security-Policy): the start-up script is a URL too.
    assert parser.inline_scripts == []
    start_up = "/api/docs/?script="
    assert start_up in parser.urls
    for url in parser.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is not served by Samdrift"
        assert parts.path.startswith("/static/") or url == start_up, url
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert body, url
        if url.endswith(".css"):
            external = re.findall(rb"url\(\s*['\"]?(https?:)?//", body)
            assert external == [], f"{url} loads from elsewhere"
    script = client.get(start_up).content.decode()
    assert '"/api/schema/"' in script
    # Swagger UI would otherwise fetch a validator badge from validator.swagger.io.
    assert '"validatorUrl": null' in script
