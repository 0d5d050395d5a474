from django.db.models import Q, QuerySet

from .models import User
from .roles import Role


def users_with_role(role: Role, *, including_left: bool = False) -> QuerySet[User]:
    """Everyone with a role, by name: those whose account is active, unless `including_left`.

    Lists to choose someone for work (allocate, cover, book) and who gets reminders take the
    active ones; figures about the past (dashboard, reports) also take those who have left, whose
    reviews and children still count (and an IRO who left still holding children shows up)."""
    users = User.objects.filter(groups__name=role.value)
    if not including_left:
        users = users.filter(is_active=True)
    return users.order_by("last_name", "first_name", "pk")


def iro_users(*, including_left: bool = False) -> QuerySet[User]:
    """Everyone with the IRO role who can be given work (see `users_with_role`)."""
    return users_with_role(Role.IRO, including_left=including_left)


def iros_named(words: list[str]) -> QuerySet[User]:
    """IROs (those who have left too: a leaver may still hold children) whose first or last name
    holds every word, by name."""
    found = iro_users(including_left=True)
    for word in words:
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return found
