"""Fixtures for the API: a client with the scopes a test asks for, and a DRF test client that
sends its credential."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from api.scopes import Scope
from api.services import Credential, api_client_create


@pytest.fixture
def make_credential(db: None) -> Callable[..., Credential]:
    made = 0

    def make(*scopes: Scope | str, allowed_networks: str = "", name: str = "") -> Credential:
        nonlocal made
        made += 1
        return api_client_create(
            name=name or f"Case system {made}",
            scopes=[str(scope) for scope in scopes],
            allowed_networks=allowed_networks,
        )

    return make


@pytest.fixture
def api_for() -> Callable[[Credential], APIClient]:
    def client(credential: Credential) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {credential.token}")
        return api

    return client
