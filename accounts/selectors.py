from django.db.models import QuerySet

from .models import User
from .roles import Role


def iro_users() -> QuerySet[User]:
    """Everyone with the IRO role, by name."""
    return User.objects.filter(groups__name=Role.IRO).order_by("last_name", "first_name", "pk")
