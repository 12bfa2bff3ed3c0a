"""Image renditions with Pillow: thumbnails, web sizes and a zoom image."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from PIL import Image, ImageEnhance, ImageOps

from shop.services import media_service

log = logging.getLogger(__name__)

Image.MAX_IMAGE_PIXELS = 200_000_000


@dataclass(frozen=True)
class Size:
    label: str
    max_edge: int
    quality: int
    square: bool = False


SIZES = (
    Size("thumb", 160, 80, square=True),
    Size("card", 480, 82),
    Size("detail", 1200, 85),
    Size("zoom", 3000, 90),
)


class ImagePipeline:
    """Turns one uploaded original into every rendition the storefront needs."""

    def __init__(self, sizes: tuple[Size, ...] = SIZES, watermark_path: str | None = None):
        self.sizes = sizes
        self.watermark_path = watermark_path

    def _open(self, path: str) -> Image.Image:
        image = Image.open(path)
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        return image

    def _fit(self, image: Image.Image, size: Size) -> Image.Image:
        if size.square:
            return ImageOps.fit(image, (size.max_edge, size.max_edge), Image.Resampling.LANCZOS)
        copy = image.copy()
        copy.thumbnail((size.max_edge, size.max_edge), Image.Resampling.LANCZOS)
        return copy

    def _watermark(self, image: Image.Image) -> Image.Image:
        if not self.watermark_path or not os.path.exists(self.watermark_path):
            return image
        mark = Image.open(self.watermark_path).convert("RGBA")
        scale = image.width / 5 / mark.width
        mark = mark.resize((max(int(mark.width * scale), 1), max(int(mark.height * scale), 1)))
        alpha = ImageEnhance.Brightness(mark.getchannel("A")).enhance(0.4)
        mark.putalpha(alpha)
        base = image.convert("RGBA")
        base.alpha_composite(mark, (base.width - mark.width - 20, base.height - mark.height - 20))
        return base.convert("RGB")

    def render(self, original_path: str, workdir: str) -> list[tuple[Size, str, int, int]]:
        outputs: list[tuple[Size, str, int, int]] = []
        with self._open(original_path) as image:
            log.info("rendering %s (%dx%d)", original_path, image.width, image.height)
            for size in self.sizes:
                if not size.square and max(image.size) < size.max_edge:
                    log.debug("original smaller than %s; upscaling skipped", size.label)
                variant = self._fit(image, size)
                if size.label == "zoom":
                    variant = self._watermark(variant)
                target = os.path.join(workdir, f"{size.label}.webp")
                variant.convert("RGB").save(target, "WEBP", quality=size.quality, method=6)
                outputs.append((size, target, variant.width, variant.height))
        return outputs

    def generate(self, asset_id: int) -> int:
        """Download, render and upload every rendition; returns how many were made."""
        asset = media_service.get_asset(asset_id)
        if asset.kind != "image":
            raise ValueError(f"asset {asset_id} is a {asset.kind}, not an image")
        workdir = media_service.scratch_dir()
        try:
            original = media_service.download_original(asset, workdir)
            made = 0
            for size, path, width, height in self.render(original, workdir):
                media_service.save_rendition(asset_id, size.label, path, width, height)
                made += 1
            media_service.mark_status(asset_id, "ready")
            return made
        except (OSError, Image.DecompressionBombError) as exc:
            log.error("asset %s could not be processed: %s", asset_id, exc)
            media_service.mark_status(asset_id, "broken")
            raise
        finally:
            media_service.cleanup(workdir)
