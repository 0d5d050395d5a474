"""The API never shows the child's own words: My review answers, the child's views, their note
"just for my IRO", visit notes, the review's private text. A child is seeded with a marker in each,
and every GET operation in the schema is called for that child's records; no answer may hold it."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from api.scopes import Scope
from tests.api.read_seed import seed_child

pytestmark = pytest.mark.django_db

MARKER = "Zq7-never-in-the-api"
# Names of fields that hold the child's words or private notes, in any answer.
PRIVATE_FIELDS = (
    "child_views",
    "child_own_words",
    "private_note",
    "notes",
    "worried_about",
    "letter_html",
    "for_child",
)


@pytest.fixture(autouse=True)
def _private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")


def _get_paths() -> list[str]:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return [path for path, methods in document["paths"].items() if "get" in methods]


def _address(path: str, values: dict[str, object]) -> tuple[str, bool]:
    """The path with each {parameter} filled from `values` (by collection and name, then name),
    and whether every parameter named a seeded record (another part's, e.g. a webhook's id, is
    filled with 1: its answer is read for the marker all the same)."""
    known = True

    def fill(match: re.Match[str]) -> str:
        nonlocal known
        name = match.group(1)
        value = values.get(f"{path.split('/')[3]}:{name}", values.get(name))
        if value is None:
            known = False
            return "1"
        return str(value)

    return re.sub(r"\{(\w+)\}", fill, path), known


def test_no_answer_holds_the_childs_own_words_or_private_notes(make_credential, api_for):
    seeded = seed_child(marker=MARKER)
    api = api_for(make_credential(*Scope.values))
    values = {
        "child_id": seeded.child.local_id,
        "reviews:id": seeded.held.pk,
        "documents:id": seeded.document.pk,
    }
    addresses = [(f"/api/v1/reviews/{seeded.next_review.pk}/", True)]
    for path in _get_paths():
        address, known = _address(path, values)
        addresses += [(address, known), (f"{address}?page_size=200&child_id={seeded.child.local_id}", known)]
    assert ("/api/v1/children/", True) in addresses
    for address, known in addresses:
        answer = api.get(address)
        if known:
            assert answer.status_code == 200, (address, answer.status_code)
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        assert MARKER.encode() not in body, address
        for field in PRIVATE_FIELDS:
            assert f'"{field}"'.encode() not in body, (address, field)
