from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from iro_service.dbroles import DELETABLE, apply_grants


class Command(BaseCommand):
    help = (
        "Give the runtime database role (IRO_DB_RUNTIME_ROLE) exactly the privileges the application "
        "needs (iro_service/dbroles.py). Run it as the owner after every migrate; PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", help="the runtime role (default: the IRO_DB_RUNTIME_ROLE setting)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, role: str | None = None, database: str = DEFAULT_DB_ALIAS, **options: Any) -> None:
        role = role or settings.IRO_DB_RUNTIME_ROLE
        if not role:
            raise CommandError("Name the runtime role: --role iro_app, or set IRO_DB_RUNTIME_ROLE.")
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write(f"Nothing to grant on {connection.vendor}: roles are a PostgreSQL feature.")
            return
        try:
            tables = apply_grants(connection, role)
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Granted {role} SELECT/INSERT/UPDATE on {len(tables)} tables, DELETE on {len(DELETABLE)}; "
            "audit tables insert-only."
        )
