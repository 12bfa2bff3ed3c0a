"""Media storage: uploads to S3, asset records and renditions."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import shutil
import tempfile
from typing import Any, BinaryIO

import boto3
from botocore.exceptions import ClientError

from shop.config import get_config
from shop.db import get_session, session_scope
from shop.models.media import MediaAsset, Rendition
from shop.repositories.base import NotFoundError
from shop.repositories.media_repository import MediaRepository
from shop.services import catalog_service
from shop.utils.ids import storage_key
from shop.utils.validation import ValidationError

log = logging.getLogger(__name__)

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_VIDEO_BYTES = 2 * 1024 * 1024 * 1024
COPY_CHUNK = 8 * 1024 * 1024

_s3 = boto3.client("s3")


def _kind_for(content_type: str) -> str:
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type in VIDEO_TYPES:
        return "video"
    raise ValidationError({"file": f"unsupported content type {content_type}"})


def _spool(stream: BinaryIO, limit: int) -> tuple[str, int, str]:
    """Copy an upload to a temp file in chunks; returns (path, size, sha256)."""
    os.makedirs(get_config().media_tmp_dir, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=get_config().media_tmp_dir, delete=False)
    try:
        while True:
            chunk = stream.read(COPY_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise ValidationError({"file": f"larger than {limit // (1024 * 1024)} MB"})
            digest.update(chunk)
            handle.write(chunk)
    except Exception:
        handle.close()
        os.unlink(handle.name)
        raise
    handle.close()
    return handle.name, size, digest.hexdigest()


def store_upload(
    stream: BinaryIO, filename: str, owner_id: int, content_type: str | None = None, product_id: int | None = None
) -> dict[str, Any]:
    """Persist an uploaded file to the media bucket and record it."""
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    kind = _kind_for(content_type)
    limit = MAX_IMAGE_BYTES if kind == "image" else MAX_VIDEO_BYTES
    path, size, checksum = _spool(stream, limit)
    key = storage_key(f"{kind}s/originals", filename)
    try:
        _s3.upload_file(
            path,
            get_config().media_bucket,
            key,
            ExtraArgs={"ContentType": content_type, "Metadata": {"sha256": checksum}},
        )
    finally:
        os.unlink(path)
    with session_scope() as session:
        asset = MediaRepository(session).add(
            MediaAsset(
                owner_id=owner_id,
                product_id=product_id,
                kind=kind,
                original_filename=filename[:255],
                storage_key=key,
                content_type=content_type,
                size_bytes=size,
                status="uploaded",
            )
        )
        log.info("stored %s upload %s (%d bytes) as asset %s", kind, filename, size, asset.id)
        return {"id": asset.id, "kind": kind, "size_bytes": size, "status": asset.status}


def get_asset(asset_id: int) -> MediaAsset:
    asset = MediaRepository(get_session()).get(asset_id)
    if asset is None:
        raise NotFoundError(f"media asset {asset_id} not found")
    return asset


def attach_to_product(asset_id: int, product_id: int) -> MediaAsset:
    if not catalog_service.product_exists(product_id):
        raise NotFoundError(f"product {product_id} is not in the catalogue")
    with session_scope() as session:
        asset = MediaRepository(session).get_or_raise(asset_id)
        asset.product_id = product_id
        return asset


def download_original(asset: MediaAsset, workdir: str) -> str:
    """Fetch the original object into ``workdir`` and return its path."""
    target = os.path.join(workdir, f"original-{asset.id}{os.path.splitext(asset.original_filename)[1]}")
    try:
        _s3.download_file(get_config().media_bucket, asset.storage_key, target)
    except ClientError as exc:
        raise NotFoundError(f"original for asset {asset.id} missing from storage") from exc
    return target


def save_rendition(asset_id: int, label: str, local_path: str, width: int | None, height: int | None) -> Rendition:
    content_type = mimetypes.guess_type(local_path)[0] or "application/octet-stream"
    key = storage_key(f"renditions/{label}", os.path.basename(local_path))
    _s3.upload_file(local_path, get_config().media_bucket, key, ExtraArgs={"ContentType": content_type})
    with session_scope() as session:
        repo = MediaRepository(session)
        existing = repo.rendition(asset_id, label)
        if existing is not None:
            session.delete(existing)
        rendition = Rendition(
            asset_id=asset_id,
            label=label,
            storage_key=key,
            width=width,
            height=height,
            size_bytes=os.path.getsize(local_path),
        )
        repo.add_rendition(rendition)
        return rendition


def mark_status(asset_id: int, status: str) -> None:
    with session_scope() as session:
        MediaRepository(session).get_or_raise(asset_id).status = status


def delete_user_assets(user_id: int) -> int:
    """Remove every object a user uploaded (originals and renditions)."""
    bucket = get_config().media_bucket
    deleted = 0
    with session_scope() as session:
        repo = MediaRepository(session)
        for asset in repo.owned_by(user_id):
            keys = [asset.storage_key] + [r.storage_key for r in asset.renditions]
            for start in range(0, len(keys), 1000):
                batch = [{"Key": key} for key in keys[start : start + 1000]]
                _s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
            repo.delete(asset)
            deleted += 1
    log.info("purged %d assets for user %s", deleted, user_id)
    return deleted


def scratch_dir() -> str:
    """A private working directory under the media temp area."""
    os.makedirs(get_config().media_tmp_dir, exist_ok=True)
    return tempfile.mkdtemp(prefix="job-", dir=get_config().media_tmp_dir)


def cleanup(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
