"""Extract an uploaded .zip of a codebase safely: uploads are untrusted.

Every member is checked before a byte is written: no path may leave the destination
(absolute paths, `..`, drive letters), no symlinks, no encrypted members. While extracting,
sizes are counted from the bytes actually decompressed (header sizes can lie), so a zip bomb
is stopped by the total-size limit or by its compression ratio, whichever trips first.
Nested archives are not unpacked: they are listed as skipped. Each refusal raises
ArchiveError naming the member and the limit.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath

from analyzer.errors import ArchiveError

#: Limits on what an upload may unpack to. They bound disk use and analysis time on a shared
#: review server; a real monolith's Python sources fit well within them.
MAX_TOTAL_BYTES = 200 * 1024 * 1024
#: Members of any kind (files and folders alike: each costs a file-system entry).
MAX_FILES = 20_000
#: A member that decompresses to more than RATIO_CHECK_BYTES may not be more than MAX_RATIO
#: times its compressed size (source code compresses around 4-10:1; bombs 1000:1 and more).
MAX_RATIO = 100
RATIO_CHECK_BYTES = 1024 * 1024
#: Archives inside the archive are left alone (never unpacked recursively).
NESTED_ARCHIVE_SUFFIXES = (
    ".zip", ".whl", ".egg", ".jar", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".zst",
)
_CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ExtractResult:
    """Where the archive was unpacked and what was left out (member, reason)."""

    root: Path
    files: int
    bytes: int
    skipped: tuple[tuple[str, str], ...] = ()


def safe_extract(zip_bytes: bytes, dest: Path) -> ExtractResult:
    """Unpack `zip_bytes` into the existing folder `dest`; raise ArchiveError on anything unsafe
    or anything that cannot be written (a member that is both a file and a folder, a name too
    long). On a refusal, files already written stay in `dest`: the caller owns `dest` and removes it.
    """
    dest = Path(dest).resolve()
    try:
        archive = zipfile.ZipFile(BytesIO(zip_bytes))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ArchiveError(f"The upload is not a valid .zip archive ({exc}); zip the codebase folder and try again.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_FILES:
            raise ArchiveError(
                f"The archive holds {len(members):,} files and folders, more than the limit of {MAX_FILES:,}; "
                "zip only the source folder."
            )
        planned = [(member, _safe_target(member, dest)) for member in members]
        total = 0
        files = 0
        skipped: list[tuple[str, str]] = []
        for member, target in planned:
            if member.filename.lower().endswith(NESTED_ARCHIVE_SUFFIXES) and not member.is_dir():
                skipped.append((member.filename, "nested archive not unpacked"))
                continue
            try:
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveError(f"Could not unpack archive member {member.filename!r} "
                                   f"({exc.strerror or type(exc).__name__}); re-create the zip.") from exc
            total += _extract_member(archive, member, target, total)
            files += 1
    return ExtractResult(root=dest, files=files, bytes=total, skipped=tuple(skipped))


def _safe_target(member: zipfile.ZipInfo, dest: Path) -> Path:
    """The path a member would be written to, or ArchiveError if it is unsafe."""
    name = member.filename
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ArchiveError(f"Refused archive member {name!r}: symbolic links are not allowed in uploads.")
    if member.flag_bits & 0x1:
        raise ArchiveError(f"Refused archive member {name!r}: encrypted members cannot be analyzed.")
    if "\x00" in name:
        raise ArchiveError(f"Refused archive member {name!r}: the name contains a NUL character.")
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or _DRIVE.match(normalized):
        raise ArchiveError(f"Refused archive member {name!r}: absolute paths are not allowed in uploads.")
    parts = PurePosixPath(normalized).parts
    if ".." in parts:
        raise ArchiveError(f"Refused archive member {name!r}: '..' would write outside the upload folder.")
    target = dest.joinpath(*[p for p in parts if p not in ("", ".")]).resolve()
    if target != dest and dest not in target.parents:
        raise ArchiveError(f"Refused archive member {name!r}: it would write outside the upload folder.")
    return target


def _extract_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, total_so_far: int) -> int:
    """Stream one member to disk, counting real bytes; return how many were written."""
    written = 0
    compressed = max(member.compress_size, 1)
    try:
        with archive.open(member) as source, open(target, "wb") as sink:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if total_so_far + written > MAX_TOTAL_BYTES:
                    raise ArchiveError(
                        f"Refused archive member {member.filename!r}: the archive unpacks to more than "
                        f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB; zip only the source folder."
                    )
                if written > RATIO_CHECK_BYTES and written / compressed > MAX_RATIO:
                    raise ArchiveError(
                        f"Refused archive member {member.filename!r}: it expands more than {MAX_RATIO}:1 "
                        "(a zip bomb?); remove it from the archive."
                    )
                sink.write(chunk)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError, NotImplementedError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ArchiveError(f"Could not unpack archive member {member.filename!r} ({reason}); "
                           "re-create the zip.") from exc
    return written
