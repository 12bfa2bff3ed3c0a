"""Queries over media assets and renditions."""

from __future__ import annotations

from shop.models.media import MediaAsset, Rendition
from .base import BaseRepository


class MediaRepository(BaseRepository[MediaAsset]):
    model = MediaAsset

    def for_product(self, product_id: int) -> list[MediaAsset]:
        return (
            self.session.query(MediaAsset)
            .filter(MediaAsset.product_id == product_id)
            .order_by(MediaAsset.created_at)
            .all()
        )

    def owned_by(self, owner_id: int) -> list[MediaAsset]:
        return self.session.query(MediaAsset).filter(MediaAsset.owner_id == owner_id).all()

    def add_rendition(self, rendition: Rendition) -> None:
        self.session.add(rendition)

    def rendition(self, asset_id: int, label: str) -> Rendition | None:
        return (
            self.session.query(Rendition)
            .filter(Rendition.asset_id == asset_id, Rendition.label == label)
            .one_or_none()
        )
