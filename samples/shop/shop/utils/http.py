"""HTTP helpers shared by the blueprints."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from shop.utils.validation import ValidationError


class ApiError(Exception):
    """An error that maps onto a JSON error response."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class NotFound(ApiError):
    def __init__(self, what: str, ident: object):
        super().__init__(404, "not_found", f"{what} {ident} does not exist")


class Conflict(ApiError):
    def __init__(self, message: str):
        super().__init__(409, "conflict", message)


def json_body() -> dict[str, Any]:
    """Return the request's JSON object or raise a 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "expected a JSON object body")
    return data


def ok(payload: Any, status: int = 200):
    return jsonify(payload), status


def created(payload: Any, location: str | None = None):
    response = jsonify(payload)
    response.status_code = 201
    if location:
        response.headers["Location"] = location
    return response


def validation_failed(err: ValidationError):
    return jsonify({"error": "validation_failed", "fields": err.errors}), 422
