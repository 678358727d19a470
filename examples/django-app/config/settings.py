"""Project settings. Everything deployment-specific comes from environment variables.

The variables are listed, with examples, in `.env.example`. Required ones raise
ImproperlyConfigured with the variable's name when they are missing, so a bad `.env`
fails `manage.py check`/`migrate` at once instead of at the first request.

This module is `config.settings`; the app labelled `settings` is the top-level
package `settings/` (see settings/apps.py). The two never clash because
DJANGO_SETTINGS_MODULE is always the dotted path "config.settings".
"""
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name, default=None, required=False, hint=""):
    """Return the environment variable `name`, or `default`; raise if required and unset."""
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(
                f"Environment variable {name} is required but not set. {hint}"
                " Set it in the .env file (see .env.example)."
            )
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    normalized = value.strip().lower()
    if normalized in _TRUE:
        return True
    if normalized in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean."
        " Use one of: 1, true, yes, on, 0, false, no, off."
    )


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = env(name, default=str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not an integer."
        ) from None


SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    required=True,
    hint="Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.",
)
DEBUG = env_bool("DJANGO_DEBUG", default=False)

# The container health checks (docker-compose.yml) and one-off commands talk to the
# app over the loopback interface, so the loopback names are always allowed.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") + ["localhost", "127.0.0.1", "[::1]"]
# Django 4.0+ needs the scheme, e.g. "https://app.example.com".
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Identifies the deployed release; reported by /healthz/.
APP_RELEASE = env("APP_RELEASE", default="unknown")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "settings.apps.SiteSettingsConfig",
    "accounts.apps.AccountsConfig",
    "billing.apps.BillingConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL, configured with the same POSTGRES_* variables the postgres image reads,
# so one .env serves both the `db` service and the app.
_DB_HINT = "It must match the value the db service was initialised with."
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": env("POSTGRES_HOST", default="db"),
        "PORT": env_int("POSTGRES_PORT", 5432),
        "NAME": env("POSTGRES_DB", required=True, hint=_DB_HINT),
        "USER": env("POSTGRES_USER", required=True, hint=_DB_HINT),
        "PASSWORD": env("POSTGRES_PASSWORD", required=True, hint=_DB_HINT),
        "CONN_MAX_AGE": env_int("DJANGO_CONN_MAX_AGE", 60),
        "OPTIONS": {"connect_timeout": env_int("POSTGRES_CONNECT_TIMEOUT", 5)},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: `collectstatic` copies them into STATIC_ROOT, which docker-compose.yml
# mounts as the named volume `static` (see config/urls.py for how they are served).
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed file names (site.3f2a….css) let the previous release keep serving its own
# files while the next release's collectstatic writes into the same volume.
# STORAGES (Django >= 4.2, the minimum in requirements.txt) replaces STATICFILES_STORAGE,
# which Django 5.1 removed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# Celery: Redis is the broker. Tasks record their outcome in the database (TaskRun),
# so no result backend is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or env(
    "REDIS_URL",
    required=True,
    hint="It is the Celery broker, e.g. redis://redis:6379/0 (or set CELERY_BROKER_URL).",
)
CELERY_TASK_IGNORE_RESULT = True
# Celery >= 5.3 warns unless this is explicit; older versions ignore the key.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {
        "task": "settings.heartbeat",
        "schedule": float(env_int("CELERY_HEARTBEAT_SECONDS", 60)),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
