"""API clients: a secret shown once and kept as a hash, refused credentials, source addresses,
scopes and the request budget."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from api.models import ApiClient
from api.scopes import Scope
from api.services import api_client_create, api_client_for_token, api_client_rotate_secret

pytestmark = pytest.mark.django_db


def test_the_secret_is_kept_only_as_a_hash(make_credential):
    credential = make_credential(Scope.CHILDREN_READ)
    key_id, secret = credential.token.split(".")
    client = ApiClient.objects.get(pk=credential.client.pk)
    assert client.key_id == key_id
    assert len(secret) >= 43  # 256 random bits, base64url
    assert client.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiClient.objects.filter(pk=client.pk).values().get())
    assert api_client_for_token(credential.token) == client


def test_the_client_acts_as_a_user_that_cannot_sign_in(make_credential):
    client = make_credential(Scope.CHILDREN_READ, name="Liquidlogic").client
    assert not client.user.has_usable_password()
    assert not client.user.groups.exists()
    assert str(client.user) == "Liquidlogic (API client)"


def test_wrong_unknown_withdrawn_and_rotated_credentials_are_refused(make_credential):
    credential = make_credential(Scope.CHILDREN_READ)
    api = APIClient()
    for header in (
        f"Bearer {credential.token}x",
        "Bearer iro_0000000000000000.nothing",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "",
    ):
        api.credentials(HTTP_AUTHORIZATION=header) if header else api.credentials()
        assert api.get("/api/v1/schema/").status_code == 401, header

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {credential.token}")
    assert api.get("/api/v1/schema/").status_code == 200
    rotated = api_client_rotate_secret(client=credential.client)
    assert api.get("/api/v1/schema/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated.token}")
    assert api.get("/api/v1/schema/").status_code == 200
    ApiClient.objects.filter(pk=credential.client.pk).update(is_active=False)
    assert api.get("/api/v1/schema/").status_code == 401


def test_a_client_may_call_only_from_its_allowed_addresses(make_credential, api_for):
    inside = make_credential(Scope.CHILDREN_READ, allowed_networks="127.0.0.0/8\n10.1.0.0/16")
    outside = make_credential(Scope.CHILDREN_READ, allowed_networks="192.0.2.0/24")
    assert api_for(inside).get("/api/v1/schema/").status_code == 200
    response = api_for(outside).get("/api/v1/schema/")
    assert response.status_code == 403
    assert "address" in str(response.data["detail"])


def test_bad_scopes_and_addresses_are_refused_with_where(db):
    with pytest.raises(ValidationError) as error:
        api_client_create(name="A", scopes=["children:read", "everything"])
    assert "everything" in str(error.value.message_dict["scopes"])
    with pytest.raises(ValidationError) as error:
        api_client_create(name="B", scopes=[], allowed_networks="10.0.0.0/8\nnot-an-address")
    assert "Line 2" in str(error.value.message_dict["allowed_networks"])
    assert not ApiClient.objects.exists()


def test_the_schema_documents_the_bearer_credential(make_credential, api_for):
    response = api_for(make_credential()).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["components"]["securitySchemes"]["client"]["scheme"] == "bearer"


def test_the_documentation_loads_nothing_off_site(make_credential, api_for):
    api = api_for(make_credential())
    page = api.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "https://" not in html  # no CDN, no web font
    assert "<style" not in html  # the site's CSP allows no inline style: the page's styles are a file
    assert "/static/css/api-docs.css" in html
    script = api.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "https://" not in script.content.decode()


def test_each_client_has_a_request_budget(make_credential, api_for, settings):
    settings.IRO_API_RATE = "3/min"
    first, second = api_for(make_credential()), api_for(make_credential())
    assert [first.get("/api/v1/schema/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/schema/").status_code == 200  # budgets are per client
    refused = first.get("/api/v1/schema/")
    assert int(refused["Retry-After"]) > 0


def test_a_manager_registers_a_client_in_the_admin_and_sees_its_secret_once(admin_client):
    response = admin_client.post(
        "/admin/api/apiclient/add/",
        {"name": "Mosaic", "scopes": ["children:read", "care-events:write"], "allowed_networks": "", "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    client = ApiClient.objects.get(name="Mosaic")
    assert client.scopes == ["care-events:write", "children:read"]
    shown = [str(message) for message in response.context["messages"]]
    token = next(word for text in shown for word in text.split() if word.startswith(client.key_id + "."))
    assert api_client_for_token(token) == client
    # Never again: not on the change page, not in the list.
    for page in (f"/admin/api/apiclient/{client.pk}/change/", "/admin/api/apiclient/"):
        assert token.split(".")[1] not in admin_client.get(page).content.decode()
    # A bad address range is refused on the form, with the line named.
    refused = admin_client.post(
        "/admin/api/apiclient/add/", {"name": "Eclipse", "scopes": [], "allowed_networks": "10.0.0.0/8\nnowhere"}
    )
    assert refused.status_code == 200
    assert "Line 2" in refused.content.decode()
    assert not ApiClient.objects.filter(name="Eclipse").exists()
