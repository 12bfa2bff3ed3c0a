"""A tiny document model so report.md and report.html are built once and always say the same.

Blocks: Heading, Para, Bullets, Table. Inline text is a tuple of spans: plain `str` (escaped
for the target format) or `Code` (identifiers, paths, `path:line`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    href: str


Span = Union[str, Code, Strong, Link]
Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    spans: Inline


@dataclass(frozen=True)
class Bullets:
    items: tuple[Inline, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Inline, ...], ...]
    numeric: tuple[int, ...] = field(default=())  # right-aligned column indexes


Block = Union[Heading, Para, Bullets, Table]


def text(*spans: Span | None) -> Inline:
    return tuple(s for s in spans if s not in (None, ""))


def joined(spans: Sequence[Span], separator: str = ", ") -> Inline:
    out: list[Span] = []
    for index, span in enumerate(spans):
        if index:
            out.append(separator)
        out.append(span)
    return tuple(out)


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "section"


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md_plain(value: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", value).replace("\r", " ").replace("\n", " ")


_BACKTICKS = re.compile(r"`+")
_UI_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$~{}])")


def _md_code(value: str) -> str:
    """A code span no backtick run inside can close: its fence is longer than the longest run."""
    value = value.replace("\r", " ").replace("\n", " ")
    longest = max((len(run) for run in _BACKTICKS.findall(value)), default=0)
    if longest:
        fence = "`" * (longest + 1)
        return f"{fence} {value} {fence}"
    return f"`{value}`"


def md_code(value: str) -> str:
    """`value` as an inline code span in Markdown (for names shown by the review page)."""
    return _md_code(value)


def md_text(value: str) -> str:
    """`value` as literal Markdown text inside a line: the characters that open emphasis, code,
    links, HTML, table cells, headings, Streamlit colour directives (`:red[`) or LaTeX (`$`)
    backslash-escaped, line breaks as spaces."""
    return _UI_SPECIAL.sub(r"\\\1", value.replace("\r", " ").replace("\n", " "))


def _md_inline(spans: Inline, in_table: bool = False) -> str:
    parts = []
    for span in spans:
        if isinstance(span, Code):
            rendered = _md_code(span.text)
            parts.append(rendered.replace("|", "\\|") if in_table else rendered)
        elif isinstance(span, Strong):
            parts.append(f"**{_md_plain(span.text)}**")
        elif isinstance(span, Link):
            href = span.href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            parts.append(f"[{_md_plain(span.text)}]({href})")
        else:
            parts.append(_md_plain(span))
    return "".join(parts)


def to_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {_md_plain(block.text)}")
        elif isinstance(block, Para):
            out.append(_md_inline(block.spans))
        elif isinstance(block, Bullets):
            out.append("\n".join(
                f"{f'{n}.' if block.ordered else '-'} {_md_inline(item)}"
                for n, item in enumerate(block.items, start=1)))
        elif isinstance(block, Table):
            head = "| " + " | ".join(_md_plain(h) for h in block.headers) + " |"
            rule = "| " + " | ".join("---:" if i in block.numeric else "---"
                                     for i in range(len(block.headers))) + " |"
            body = ["| " + " | ".join(_md_inline(cell, in_table=True) for cell in row) + " |" for row in block.rows]
            out.append("\n".join([head, rule, *body]))
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1f2328; line-height: 1.45; }
h1 { border-bottom: 2px solid #305496; padding-bottom: .3rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th { background: #305496; color: #fff; text-align: left; }
th, td { border: 1px solid #d0d7de; padding: .3rem .55rem; vertical-align: top; }
tr:nth-child(even) td { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .88em;
       background: #eff1f3; padding: .05rem .25rem; border-radius: 3px; }
.wide { overflow-x: auto; }
.diagram { overflow-x: auto; border: 1px solid #d0d7de; padding: .5rem; }
.diagram svg { max-width: 100%; height: auto; }
""".strip()


def _html_inline(spans: Inline) -> str:
    parts = []
    for span in spans:
        if isinstance(span, Code):
            parts.append(f"<code>{html.escape(span.text)}</code>")
        elif isinstance(span, Strong):
            parts.append(f"<strong>{html.escape(span.text)}</strong>")
        elif isinstance(span, Link):
            parts.append(f'<a href="{html.escape(span.href)}">{html.escape(span.text)}</a>')
        else:
            parts.append(html.escape(span))
    return "".join(parts)


def to_html(title: str, blocks: Sequence[Block], inserts: dict[int, str] | None = None) -> str:
    """A self-contained page; `inserts` maps a block index to trusted HTML placed before it."""
    inserts = inserts or {}
    body: list[str] = []
    for index, block in enumerate(blocks):
        if index in inserts:
            body.append(inserts[index])
        if isinstance(block, Heading):
            anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            body.append(f"<p>{_html_inline(block.spans)}</p>")
        elif isinstance(block, Bullets):
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{_html_inline(item)}</li>" for item in block.items)
            body.append(f"<{tag}>{items}</{tag}>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
            rows = "".join(
                "<tr>" + "".join(
                    f'<td class="num">{_html_inline(cell)}</td>' if i in block.numeric
                    else f"<td>{_html_inline(cell)}</td>"
                    for i, cell in enumerate(row)) + "</tr>\n"
                for row in block.rows)
            body.append(f'<div class="wide"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n'
                        "</table></div>")
    if len(blocks) in inserts:
        body.append(inserts[len(blocks)])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
