"""Django settings for the clinic project.

Values come from the environment so the same settings module serves local development,
staging and production.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean flag from the environment ("1", "true", "yes" are truthy)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key")
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "clinic.core",
    "clinic.patients",
    "clinic.staff",
    "clinic.appointments",
    "clinic.billing",
    "clinic.insurance",
    "clinic.pharmacy",
    "clinic.lab",
    "clinic.records",
    "clinic.notifications",
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

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("POSTGRES_DB", "clinic"),
        "USER": os.environ.get("POSTGRES_USER", "clinic"),
        "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
        "HOST": os.environ.get("POSTGRES_HOST", "localhost"),
        "PORT": int(os.environ.get("POSTGRES_PORT", "5432")),
        "CONN_MAX_AGE": 60,
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TIME_ZONE = "America/Chicago"
USE_TZ = True
LANGUAGE_CODE = "en-us"
STATIC_URL = "static/"
MEDIA_ROOT = Path(os.environ.get("CLINIC_MEDIA_ROOT", BASE_DIR / "media"))

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_DEFAULT_QUEUE = "default"

# Integrations -------------------------------------------------------------------------
CLEARINGHOUSE_URL = os.environ.get("CLEARINGHOUSE_URL", "https://api.clearinghouse.example/v2")
CLEARINGHOUSE_API_KEY = os.environ.get("CLEARINGHOUSE_API_KEY", "")
REFERENCE_LAB_URL = os.environ.get("REFERENCE_LAB_URL", "https://orders.referencelab.example/api")
REFERENCE_LAB_API_KEY = os.environ.get("REFERENCE_LAB_API_KEY", "")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "https://sms.gateway.example/v1")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_SENDER_NUMBER = os.environ.get("SMS_SENDER_NUMBER", "+15555550100")
PAYMENT_GATEWAY_URL = os.environ.get("PAYMENT_GATEWAY_URL", "https://pay.gateway.example")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@riverside-clinic.example")
FINANCE_EMAIL = os.environ.get("FINANCE_EMAIL", "finance@riverside-clinic.example")
PHARMACY_MANAGER_EMAIL = os.environ.get("PHARMACY_MANAGER_EMAIL", "pharmacy@riverside-clinic.example")
CREDENTIALING_EMAIL = os.environ.get("CREDENTIALING_EMAIL", "credentialing@riverside-clinic.example")

BILLING_EXPORT_DIR = Path(os.environ.get("BILLING_EXPORT_DIR", "/var/clinic/exports/billing"))
LAB_INBOX_DIR = Path(os.environ.get("LAB_INBOX_DIR", "/var/clinic/lab/inbox"))
LAB_ARCHIVE_DIR = Path(os.environ.get("LAB_ARCHIVE_DIR", "/var/clinic/lab/archive"))

INVOICE_DUE_DAYS = int(os.environ.get("INVOICE_DUE_DAYS", "30"))
RECORDS_ACCESS_LOG_RETENTION_DAYS = int(os.environ.get("RECORDS_ACCESS_LOG_RETENTION_DAYS", "2190"))
NOTIFICATION_RETENTION_DAYS = int(os.environ.get("NOTIFICATION_RETENTION_DAYS", "400"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
