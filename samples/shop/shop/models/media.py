"""Uploaded media assets (images, videos) and their renditions."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import relationship

from shop.db import Base


class MediaAsset(Base):
    __tablename__ = "media_assets"

    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, index=True)
    product_id = Column(Integer, index=True)
    kind = Column(String(8), nullable=False)
    original_filename = Column(String(255), nullable=False)
    storage_key = Column(String(300), nullable=False, unique=True)
    content_type = Column(String(100), nullable=False)
    size_bytes = Column(BigInteger, nullable=False)
    status = Column(String(12), nullable=False, default="uploaded")
    created_at = Column(DateTime(timezone=True), server_default=func.now())

    renditions = relationship("Rendition", back_populates="asset", cascade="all, delete-orphan")


class Rendition(Base):
    __tablename__ = "media_renditions"

    id = Column(Integer, primary_key=True)
    asset_id = Column(Integer, ForeignKey("media_assets.id", ondelete="CASCADE"), nullable=False, index=True)
    label = Column(String(20), nullable=False)
    storage_key = Column(String(300), nullable=False)
    width = Column(Integer)
    height = Column(Integer)
    size_bytes = Column(BigInteger)

    asset = relationship("MediaAsset", back_populates="renditions")
