from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from .sign_in import remember_sign_in_time


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Before any request: the session's lifetime counts from the sign-in time kept here.
        user_logged_in.connect(remember_sign_in_time, dispatch_uid="accounts.sign_in.remember_sign_in_time")
