"""Export stage: Plan → the files people pass around, and edited files back into decisions.

Each format is a pure `render_*(plan) -> str | bytes` in its own module plus a thin writer;
`write_outputs` writes the set a run produces, all at once (analyzer.export.atomic), with a
manifest.json naming each file of the run and its SHA-256. Nothing here prints: notes (such as
a missing Graphviz) come back in the WriteResult for the front end to show.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import ConfigError
from analyzer.export.atomic import publish
from analyzer.model import Plan

FORMATS = ("json", "xlsx", "md", "html", "dot", "svg", "sam")

FILE_NAMES = {
    "json": "plan.json",
    "xlsx": "plan.xlsx",
    "md": "report.md",
    "html": "report.html",
    "dot": "services.dot",
    "svg": "services.svg",
    "sam": "template.yaml",
}
#: Lists the files of the last run with their SHA-256, so a set can be checked as complete.
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class WriteResult:
    paths: tuple[Path, ...]  # files written, in FORMATS order
    notes: tuple[str, ...] = ()  # one line each, e.g. why services.svg was not written
    manifest: Path | None = None


def write_outputs(plan: Plan, out_dir: Path, formats: Iterable[str] = FORMATS) -> WriteResult:
    """Write the requested formats into out_dir (created if needed)."""
    # Imported here so `import analyzer.export.plan_json` stays free of openpyxl and graphviz.
    from analyzer.export.diagrams import SVG_MISSING_NOTE, render_dot, render_svg
    from analyzer.export.markdown import render_html, render_markdown
    from analyzer.export.plan_json import render_json
    from analyzer.export.sam import render_sam
    from analyzer.export.xlsx import render_xlsx

    wanted = set(formats)
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ConfigError(f"Unknown export format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}.")
    out_dir = Path(out_dir)
    dot = render_dot(plan) if wanted & {"dot", "svg", "html"} else ""
    svg = render_svg(dot) if wanted & {"svg", "html"} else None
    renderers: dict[str, Callable[[], str | bytes | None]] = {
        "json": lambda: render_json(plan),
        "xlsx": lambda: render_xlsx(plan),
        "md": lambda: render_markdown(plan),
        "html": lambda: render_html(plan, svg),
        "dot": lambda: dot,
        "svg": lambda: svg,
        "sam": lambda: render_sam(plan),
    }
    files: dict[str, bytes] = {}
    notes: list[str] = []
    for fmt in FORMATS:
        if fmt not in wanted:
            continue
        content = renderers[fmt]()
        if content is None:
            notes.append(SVG_MISSING_NOTE)
            continue
        files[FILE_NAMES[fmt]] = content if isinstance(content, bytes) else content.encode("utf-8")
    files[MANIFEST] = render_manifest(plan, files)
    publish(out_dir, files)
    paths = tuple(out_dir / name for name in files if name != MANIFEST)
    return WriteResult(paths=paths, notes=tuple(notes), manifest=out_dir / MANIFEST)


def render_manifest(plan: Plan, files: dict[str, bytes]) -> bytes:
    """manifest.json: the tool, the analyzed root and each file of this run with its size and SHA-256."""
    manifest = {
        "tool": plan.tool,
        "source": plan.source.root,
        "files": [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in files.items()],
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
