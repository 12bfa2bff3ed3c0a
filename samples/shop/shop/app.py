"""Flask application factory: the composition root of the web tier."""

from __future__ import annotations

import logging

from flask import Flask, jsonify

from shop.config import Config, get_config
from shop.db import remove_session
from shop.utils.http import ApiError
from shop.utils.logging_setup import configure_logging

log = logging.getLogger(__name__)


def _register_blueprints(app: Flask) -> None:
    from shop.api.accounts import bp as accounts_bp
    from shop.api.cart import bp as cart_bp
    from shop.api.catalog import bp as catalog_bp
    from shop.api.inventory import bp as inventory_bp
    from shop.api.media import bp as media_bp
    from shop.api.notifications import bp as notifications_bp
    from shop.api.orders import bp as orders_bp
    from shop.api.payments import bp as payments_bp
    from shop.api.promotions import bp as promotions_bp
    from shop.api.reports import bp as reports_bp
    from shop.api.shipping import bp as shipping_bp

    for blueprint in (
        accounts_bp,
        catalog_bp,
        inventory_bp,
        cart_bp,
        orders_bp,
        payments_bp,
        shipping_bp,
        notifications_bp,
        reports_bp,
        media_bp,
        promotions_bp,
    ):
        app.register_blueprint(blueprint, url_prefix="/api/v1")
        log.debug("registered blueprint %s", blueprint.name)


def _connect_event_handlers() -> None:
    """Import the modules that subscribe to domain events.

    blinker only knows about a handler once the module defining it has been
    imported, so the web tier and the workers both call this at start-up.
    """
    import shop.services.notification_service  # noqa: F401
    import shop.services.order_service  # noqa: F401
    import shop.services.report_service  # noqa: F401
    import shop.services.shipping_service  # noqa: F401


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return jsonify({"error": err.code, "message": err.message}), err.status

    @app.errorhandler(404)
    def _not_found(_err: Exception):
        return jsonify({"error": "not_found", "message": "no such resource"}), 404

    @app.errorhandler(500)
    def _internal(err: Exception):
        log.exception("unhandled error: %s", err)
        return jsonify({"error": "internal", "message": "something went wrong"}), 500


def create_app(config: Config | None = None) -> Flask:
    """Build and configure the Flask application."""
    cfg = config or get_config()
    configure_logging(service="web", debug=cfg.debug)

    app = Flask("shop")
    app.config["SECRET_KEY"] = cfg.secret_key
    app.config["JSON_SORT_KEYS"] = False
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024 * 1024

    _register_blueprints(app)
    _register_error_handlers(app)
    _connect_event_handlers()
    app.teardown_appcontext(remove_session)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    log.info("shop app created (debug=%s)", cfg.debug)
    return app
