from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API clients"

    def ready(self) -> None:
        # The schema's word for our Bearer credential (drf-spectacular finds extensions by import).
        from . import openapi_auth  # noqa: F401, PLC0415
