from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from accounts import mails, schema  # noqa: F401  (register the mail kinds, the OpenAPI extension)
