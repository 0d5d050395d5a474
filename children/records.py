"""Records of a looked-after child are kept until the 75th anniversary of the child's birth
(reg 50; docs/domain.md, "Record keeping"): children, periods of care, reviews and documents are
archived, never deleted, and the other parts of the record (episodes, allocations, visits, ...) are never
deleted either. The models refuse deletion; on PostgreSQL so does the database: a trigger on
each table (migrations children 0004, reviews 0004 and 0009, audits 0006, each with its own
frozen copy of the trigger's functions; a new kept table's migration copies them again)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecordsAreKept(Exception):
    """Raised on any attempt to delete a record that must be kept."""


MESSAGE = "Records of a looked-after child are kept until their 75th birthday: archive it instead of deleting it."


_M = TypeVar("_M", bound=models.Model)


class KeptQuerySet(models.QuerySet[_M]):
    def delete(self) -> NoReturn:
        raise RecordsAreKept(MESSAGE)


class NeverDeleted(models.Model):
    """Part of a child's record: the model and its querysets refuse to delete it (a KeptRecord
    is archived instead; a part with no archive of its own goes with its child's record)."""

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RecordsAreKept(MESSAGE)


class KeptRecord(NeverDeleted):
    """Archived (with who, when and why) instead of deleted."""

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    archive_reason = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def archive(self, *, by: "User", reason: str) -> None:
        if not reason.strip():
            raise ValueError("Give a reason for archiving.")
        if self.archived_at is None:
            self.archived_at, self.archived_by, self.archive_reason = timezone.now(), by, reason.strip()
            self.save(update_fields=["archived_at", "archived_by", "archive_reason"])
