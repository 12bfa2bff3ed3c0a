"""Media upload and retrieval endpoints."""

from __future__ import annotations

from flask import Blueprint, request

from shop.repositories.base import NotFoundError
from shop.services import auth_service, media_service
from shop.tasks import media_tasks
from shop.utils.http import ApiError, NotFound, created, ok, validation_failed
from shop.utils.validation import ValidationError

bp = Blueprint("media", __name__)


@bp.route("/media", methods=["POST"])
def upload():
    user_id = auth_service.current_user_id()
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        raise ApiError(400, "missing_file", "attach the file as multipart field 'file'")
    try:
        asset = media_service.store_upload(upload_file.stream, upload_file.filename, user_id, upload_file.mimetype)
    except ValidationError as err:
        return validation_failed(err)
    if asset["kind"] == "video":
        media_tasks.transcode_video.delay(asset["id"])
    else:
        media_tasks.generate_thumbnails.delay(asset["id"])
    return created(asset, location=f"/api/v1/media/{asset['id']}")


@bp.get("/media/<int:asset_id>")
def get_media(asset_id: int):
    try:
        asset = media_service.get_asset(asset_id)
    except NotFoundError:
        raise NotFound("media asset", asset_id) from None
    return ok(
        {
            "id": asset.id,
            "kind": asset.kind,
            "status": asset.status,
            "filename": asset.original_filename,
            "renditions": [
                {"label": r.label, "width": r.width, "height": r.height, "key": r.storage_key}
                for r in asset.renditions
            ],
        }
    )
