"""Video transcoding with ffmpeg into web-friendly MP4 renditions."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from dataclasses import dataclass

from shop.services import media_service

log = logging.getLogger(__name__)

FFMPEG = os.environ.get("FFMPEG_BIN", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE_BIN", "ffprobe")


@dataclass(frozen=True)
class Profile:
    label: str
    height: int
    video_bitrate: str
    audio_bitrate: str


PROFILES = (
    Profile("1080p", 1080, "5000k", "192k"),
    Profile("720p", 720, "2800k", "128k"),
    Profile("480p", 480, "1200k", "96k"),
)


class TranscodeError(RuntimeError):
    pass


@dataclass(frozen=True)
class ProbeResult:
    width: int
    height: int
    duration_seconds: float
    has_audio: bool


class VideoTranscoder:
    """Runs ffprobe/ffmpeg as subprocesses; a single job can take many minutes."""

    def __init__(self, profiles: tuple[Profile, ...] = PROFILES, timeout_seconds: int = 3 * 3600):
        self.profiles = profiles
        self.timeout_seconds = timeout_seconds

    def probe(self, path: str) -> ProbeResult:
        completed = subprocess.run(
            [FFPROBE, "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0:
            raise TranscodeError(f"ffprobe failed: {completed.stderr[-500:]}")
        info = json.loads(completed.stdout)
        video = next((s for s in info.get("streams", []) if s.get("codec_type") == "video"), None)
        if video is None:
            raise TranscodeError("no video stream found")
        has_audio = any(s.get("codec_type") == "audio" for s in info.get("streams", []))
        return ProbeResult(
            width=int(video["width"]),
            height=int(video["height"]),
            duration_seconds=float(info.get("format", {}).get("duration", 0.0)),
            has_audio=has_audio,
        )

    def _command(self, source: str, target: str, profile: Profile, has_audio: bool) -> list[str]:
        command = [
            FFMPEG, "-y", "-hide_banner", "-loglevel", "error",
            "-i", source,
            "-vf", f"scale=-2:{profile.height}",
            "-c:v", "libx264", "-preset", "slow", "-profile:v", "high",
            "-b:v", profile.video_bitrate, "-maxrate", profile.video_bitrate, "-bufsize", "10M",
            "-movflags", "+faststart",
        ]
        if has_audio:
            command += ["-c:a", "aac", "-b:a", profile.audio_bitrate]
        else:
            command += ["-an"]
        return command + [target]

    def poster(self, source: str, workdir: str, at_seconds: float) -> str:
        target = os.path.join(workdir, "poster.jpg")
        subprocess.run(
            [FFMPEG, "-y", "-ss", f"{at_seconds:.2f}", "-i", source, "-frames:v", "1", "-q:v", "3", target],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return target

    def transcode(self, asset_id: int) -> list[str]:
        """Produce every profile not taller than the source; returns the labels made."""
        asset = media_service.get_asset(asset_id)
        if asset.kind != "video":
            raise TranscodeError(f"asset {asset_id} is not a video")
        media_service.mark_status(asset_id, "processing")
        workdir = media_service.scratch_dir()
        made: list[str] = []
        try:
            source = media_service.download_original(asset, workdir)
            probe = self.probe(source)
            log.info("transcoding asset %s: %dx%d, %.0fs", asset_id, probe.width, probe.height, probe.duration_seconds)
            for profile in self.profiles:
                if profile.height > probe.height:
                    continue
                target = os.path.join(workdir, f"{profile.label}.mp4")
                completed = subprocess.run(
                    self._command(source, target, profile, probe.has_audio),
                    capture_output=True,
                    text=True,
                    timeout=self.timeout_seconds,
                    check=False,
                )
                if completed.returncode != 0:
                    raise TranscodeError(f"{profile.label} failed: {completed.stderr[-1000:]}")
                media_service.save_rendition(asset_id, profile.label, target, None, profile.height)
                os.remove(target)
                made.append(profile.label)
            poster = self.poster(source, workdir, min(probe.duration_seconds / 3, 10.0))
            media_service.save_rendition(asset_id, "poster", poster, probe.width, probe.height)
            media_service.mark_status(asset_id, "ready")
            return made
        except (TranscodeError, subprocess.TimeoutExpired, subprocess.CalledProcessError):
            log.exception("transcode of asset %s failed", asset_id)
            media_service.mark_status(asset_id, "broken")
            raise
        finally:
            media_service.cleanup(workdir)
