"""The trait rules' pre-filters (needs_pattern and prefilter in traits.yml) only save work: with
or without them, every rule finds exactly the same hits."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from analyzer.scan import traits
from analyzer.scan.traits import detect_traits

REPO = Path(__file__).resolve().parents[2]

#: Odd but valid spellings a text pre-filter could wrongly reject.
AWKWARD = {
    "verb route, line continuation and comment": (
        "@app \\\n    .get(  # the listing\n    '/items')\ndef items():\n    pass\n"),
    "verb route, f-string path": "@router.delete(f'/items/{ID}')\ndef drop():\n    pass\n",
    "url pattern split over lines": (
        "urlpatterns = [\n    path(\n        # home\n        'home/', views.home),\n"
        "    re_path  (r'^old/$', views.old),\n]\n"),
    "endless loop, odd spacing": "def run():\n    while   True :\n        poll()\n",
    "annotated module cache": "SEEN: dict[str, int] = {}\ndef see(key):\n    SEEN.setdefault(key, 0)\n",
    "cache after a semicolon": "import os; CACHE = []\ndef keep(x):\n    CACHE.append(x)\n",
    "heavy import in a list": "import os, numpy\nfrom pandas.io import sql\n",
    "write mode keyword": "def save(p):\n    with open(p, mode='w') as f:\n        f.write('')\n",
}


def sources() -> list[tuple[str, str]]:
    """The rule test snippets, the awkward spellings above and every sample monolith file."""
    from tests.scan.test_traits import CASES

    found = [(f"{rule} {side}", source) for rule, (positive, _, _, negative) in CASES.items()
             for side, source in (("+", positive), ("-", negative))]
    found += [(name, textwrap.dedent(source)) for name, source in AWKWARD.items()]
    for path in sorted((REPO / "samples").rglob("*.py")):
        found.append((str(path.relative_to(REPO / "samples")), path.read_text(encoding="utf-8")))
    return found


@pytest.fixture
def ungated(monkeypatch):
    """detect_traits without the needs_pattern and prefilter checks (`needs` substrings and
    `files:` globs kept: they decide which files a rule is meant for)."""
    open_gates = tuple((rule, dataclasses.replace(gate, pattern=None, prefilter=None))
                       for rule, gate in traits._gated_rules())

    def run(source: str, path: str) -> tuple:
        with monkeypatch.context() as patch:
            patch.setattr(traits, "_gated_rules", lambda: open_gates)
            return detect_traits(source, path)

    return run


def test_pre_filters_never_change_the_hits(ungated):
    checked = sources()
    assert len(checked) > 60
    for name, source in checked:
        assert detect_traits(source, name) == ungated(source, name), name


def test_the_awkward_spellings_are_found():
    found = {name: {hit.rule for hit in detect_traits(textwrap.dedent(source), "app.py")}
             for name, source in AWKWARD.items()}
    assert "http-verb-route" in found["verb route, line continuation and comment"]
    assert "http-verb-route" in found["verb route, f-string path"]
    assert "django-url" in found["url pattern split over lines"]
    assert "long-running-loop" in found["endless loop, odd spacing"]
    assert "in-process-cache" in found["annotated module cache"]
    assert "in-process-cache" in found["cache after a semicolon"]
    assert "heavy-dependency" in found["heavy import in a list"]
    assert "large-local-file" in found["write mode keyword"]


def test_heavy_packages_placeholder_expands_to_every_package():
    gate = dict((rule.id, gate) for rule, gate in traits._gated_rules())["heavy-dependency"]
    assert {"numpy", "pandas", "torch"} <= set(gate.needs)
    assert not any("{" in token for token in gate.needs)
