"""Account endpoints: registration, login, profile and address book."""

from __future__ import annotations

import logging

from flask import Blueprint

from shop.repositories.base import NotFoundError
from shop.services import account_service, auth_service
from shop.utils.http import ApiError, created, json_body, ok, validation_failed
from shop.utils.validation import ValidationError, require_fields

log = logging.getLogger(__name__)

bp = Blueprint("accounts", __name__)


@bp.route("/accounts", methods=["POST"])
def register():
    body = json_body()
    try:
        require_fields(body, ("email", "password", "full_name"))
        user = account_service.register_user(
            body["email"], body["password"], body["full_name"], bool(body.get("marketing_opt_in", False))
        )
    except ValidationError as err:
        return validation_failed(err)
    except ValueError as err:
        raise ApiError(422, "weak_password", str(err)) from err
    token = auth_service.issue_token(user.id)
    return created({"id": user.id, "token": token}, location="/api/v1/me")


@bp.route("/auth/login", methods=["POST"])
def login():
    body = json_body()
    try:
        require_fields(body, ("email", "password"))
    except ValidationError as err:
        return validation_failed(err)
    return ok({"token": auth_service.login(body["email"], body["password"])})


@bp.get("/me")
def me():
    user_id = auth_service.current_user_id()
    contact = account_service.get_contact(user_id)
    return ok(
        {
            "id": contact.user_id,
            "email": contact.email,
            "full_name": contact.full_name,
            "phone": contact.phone,
            "marketing_opt_in": contact.marketing_opt_in,
        }
    )


@bp.patch("/me")
def update_me():
    user_id = auth_service.current_user_id()
    try:
        account_service.update_profile(user_id, json_body())
    except ValidationError as err:
        return validation_failed(err)
    return me()


@bp.get("/me/addresses")
def list_addresses():
    return ok({"items": account_service.list_addresses(auth_service.current_user_id())})


@bp.post("/me/addresses")
def add_address():
    user_id = auth_service.current_user_id()
    try:
        address = account_service.add_address(user_id, json_body())
    except ValidationError as err:
        return validation_failed(err)
    return created(address)


@bp.delete("/me")
def delete_me():
    user_id = auth_service.current_user_id()
    try:
        account_service.delete_account(user_id)
    except NotFoundError as err:
        raise ApiError(404, "not_found", str(err)) from err
    log.info("user %s deleted their account", user_id)
    return ok({"deleted": True})
