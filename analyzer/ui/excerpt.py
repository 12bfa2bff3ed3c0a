"""Show evidence as the lines of code it points at (read as text, never executed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Files larger than this are not opened for an excerpt (generated code, data dumps).
MAX_EXCERPT_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class Excerpt:
    path: str
    line: int
    first_line: int
    text: str  # numbered lines, the evidence line marked with ">"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def read_excerpt(root: Path, path: str, line: int, context: int = 3) -> Excerpt | None:
    """Lines `line - context` .. `line + context` of root/path, or None if the file cannot be read
    or the path leads outside the analyzed folder."""
    root = Path(root).resolve()
    file = (root / path).resolve()
    if root not in file.parents or not file.is_file() or file.stat().st_size > MAX_EXCERPT_FILE_BYTES:
        return None
    try:
        source = file.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    if not 1 <= line <= len(source):
        return None
    first = max(1, line - context)
    last = min(len(source), line + context)
    width = len(str(last))
    numbered = [
        f"{'>' if n == line else ' '} {n:>{width}}  {source[n - 1]}" for n in range(first, last + 1)
    ]
    return Excerpt(path=path, line=line, first_line=first, text="\n".join(numbered))
