"""Media processing tasks (routed to the ``media`` queue)."""

from __future__ import annotations

import logging

from celery import shared_task

from shop.celery_app import celery
from shop.db import SessionLocal
from shop.services import media_service
from ..services.image_pipeline import ImagePipeline
from shop.services.video_transcoder import TranscodeError, VideoTranscoder

log = logging.getLogger(__name__)


@celery.task(name="media.generate_thumbnails", bind=True, max_retries=3, acks_late=True)
def generate_thumbnails(self, asset_id: int, product_id: int | None = None) -> int:
    """Render every image size for an asset and attach it to its product."""
    try:
        made = ImagePipeline().generate(asset_id)
        if product_id is not None:
            media_service.attach_to_product(asset_id, product_id)
        log.info("asset %s: %d renditions", asset_id, made)
        return made
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60)
    finally:
        SessionLocal.remove()


@shared_task(name="media.transcode_video", bind=True, max_retries=1, time_limit=4 * 3600, acks_late=True)
def transcode_video(self, asset_id: int) -> list[str]:
    try:
        return VideoTranscoder().transcode(asset_id)
    except TranscodeError:
        log.error("asset %s cannot be transcoded; not retrying", asset_id)
        return []
    finally:
        SessionLocal.remove()


@celery.task(name="media.purge_user_uploads", ignore_result=True)
def purge_user_uploads(user_id: int) -> int:
    """Delete all media a user uploaded (account erasure)."""
    try:
        return media_service.delete_user_assets(user_id)
    finally:
        SessionLocal.remove()
