"""Runtime configuration, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"missing required environment variable {name}")
    return value


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def _env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    """Typed view over the process environment."""

    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", "postgresql://shop@localhost/shop"))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", "redis://localhost:6379/0"))
    secret_key: str = field(default_factory=lambda: _env("SECRET_KEY", "dev-only-secret"))
    token_ttl_seconds: int = field(default_factory=lambda: _env_int("TOKEN_TTL_SECONDS", 3600))
    stripe_api_key: str = field(default_factory=lambda: _env("STRIPE_API_KEY", "sk_test_placeholder"))
    stripe_webhook_secret: str = field(default_factory=lambda: _env("STRIPE_WEBHOOK_SECRET", "whsec_test"))
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", "localhost"))
    smtp_port: int = field(default_factory=lambda: _env_int("SMTP_PORT", 25))
    mail_sender: str = field(default_factory=lambda: _env("MAIL_SENDER", "shop@example.com"))
    ops_alert_emails: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            a.strip() for a in _env("OPS_ALERT_EMAILS", "ops@example.com").split(",") if a.strip()
        )
    )
    media_bucket: str = field(default_factory=lambda: _env("MEDIA_BUCKET", "shop-media"))
    media_tmp_dir: str = field(default_factory=lambda: _env("MEDIA_TMP_DIR", "/tmp/shop-media"))
    export_dir: str = field(default_factory=lambda: _env("EXPORT_DIR", "/var/lib/shop/exports"))
    tracking_queue_url: str = field(
        default_factory=lambda: _env("TRACKING_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/000/tracking")
    )
    carrier_api_url: str = field(default_factory=lambda: _env("CARRIER_API_URL", "https://api.carrier.test/v2"))
    carrier_api_key: str = field(default_factory=lambda: _env("CARRIER_API_KEY", "carrier-test-key"))
    low_stock_threshold: int = field(default_factory=lambda: _env_int("LOW_STOCK_THRESHOLD", 5))
    reservation_ttl_minutes: int = field(default_factory=lambda: _env_int("RESERVATION_TTL_MINUTES", 30))
    unpaid_order_ttl_minutes: int = field(default_factory=lambda: _env_int("UNPAID_ORDER_TTL_MINUTES", 60))
    websocket_port: int = field(default_factory=lambda: _env_int("WEBSOCKET_PORT", 8765))
    debug: bool = field(default_factory=lambda: _env_bool("SHOP_DEBUG"))


_config: Config | None = None


def get_config() -> Config:
    """Return the process-wide configuration, building it on first use."""
    global _config
    if _config is None:
        _config = Config()
    return _config
