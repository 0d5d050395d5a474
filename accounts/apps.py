from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Connects the sign-in time receiver before any request (the middleware module is only
        # imported with the first one).
        from . import middleware  # noqa: F401
