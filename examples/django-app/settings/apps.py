from django.apps import AppConfig


class SiteSettingsConfig(AppConfig):
    # The package is the top-level `settings`, and its label is `settings` too:
    # migrations and foreign keys refer to it as ("settings", ...) / "settings.Model".
    # Project settings live in `config.settings`, so nothing shadows this name.
    name = "settings"
    label = "settings"
    verbose_name = "Site settings"
    default_auto_field = "django.db.models.BigAutoField"
