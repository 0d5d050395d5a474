"""Contract tests generated from the API's own OpenAPI schema (schemathesis): every operation is
called through Django's WSGI application, against the test database, with a real credential that
has every scope, and each answer must not be a server error and must match the schema (status
code, content type, body). Kept small: a few dozen generated calls an operation."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.scopes import Scope
from iro_service.wsgi import application
from tests.api.read_seed import seed_child

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema_document() -> dict:
    """The schema as /api/v1/schema/ serves it (JSON), made in-process: no credential needed to load it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


schema = schemathesis.openapi.from_dict(_schema_document())


@pytest.fixture
def every_scope(db, make_credential, settings, tmp_path):
    """A client with every scope, a seeded child for the calls to find, and room for the calls."""
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")
    settings.IRO_API_RATE = "100000/min"
    cache.clear()
    # The WSGI handler closes the database connection when a request ends; the test's transaction
    # lives on it. Django's test client keeps it open the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield make_credential(*Scope.values, name="Contract"), seed_child()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_as_its_schema_says(case, every_scope):
    credential, _seeded = every_scope
    case.call_and_validate(app=application, headers={"Authorization": f"Bearer {credential.token}"}, checks=CHECKS)


def test_real_records_answer_as_the_schema_says(every_scope):
    """The generated ids rarely name a record: each GET once more with the seeded child's."""
    credential, seeded = every_scope
    known = {
        "child_id": seeded.child.local_id,
        "id": {"reviews": seeded.held.pk, "documents": seeded.document.pk},
    }
    called = 0
    for path, methods in schema.raw_schema["paths"].items():
        if "get" not in methods:
            continue
        parameters = {}
        for name in (p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "path"):
            value = known.get(name)
            if isinstance(value, dict):
                value = next((v for key, v in value.items() if f"/{key}/" in path), None)
            parameters[name] = value
        if None in parameters.values():
            continue  # another part's records: left to the generated calls
        case = schema[path]["GET"].Case(path_parameters=parameters)
        response = case.call_and_validate(
            app=application, headers={"Authorization": f"Bearer {credential.token}"}, checks=CHECKS
        )
        assert response.status_code == 200, (path, response.text[:300])
        called += 1
    assert called >= 7
