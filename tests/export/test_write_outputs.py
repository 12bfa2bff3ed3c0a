from __future__ import annotations

import graphviz
import pytest

from analyzer.errors import ConfigError
from analyzer.export import FILE_NAMES, FORMATS, write_outputs
from analyzer.export.plan_json import read_plan, render_json


def test_writes_every_format_and_reads_back(plan, tmp_path, monkeypatch):
    monkeypatch.setattr(graphviz.Source, "pipe", lambda self, format: b"<svg>stub</svg>")
    result = write_outputs(plan, tmp_path / "out")
    assert [p.name for p in result.paths] == [FILE_NAMES[f] for f in FORMATS]
    assert all(p.stat().st_size > 0 for p in result.paths)
    assert result.notes == ()
    assert render_json(read_plan(tmp_path / "out" / "plan.json")) == render_json(plan)
    assert "<svg>stub</svg>" in (tmp_path / "out" / "report.html").read_text()


def test_missing_graphviz_skips_svg_with_one_note(plan, tmp_path, monkeypatch):
    def missing(self, format):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Source, "pipe", missing)
    result = write_outputs(plan, tmp_path, formats=("dot", "svg", "html"))
    assert [p.name for p in result.paths] == ["report.html", "services.dot"]
    assert result.notes == ("services.svg not written: install Graphviz (apt-get install graphviz) to render SVG; "
                            "services.dot is ready",)
    assert not (tmp_path / "services.svg").exists()


def test_two_runs_write_identical_bytes(plan, tmp_path):
    first = write_outputs(plan, tmp_path / "a")
    second = write_outputs(plan, tmp_path / "b")
    for a, b in zip(first.paths, second.paths, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_unknown_format_is_a_config_error(plan, tmp_path):
    with pytest.raises(ConfigError, match="Unknown export format"):
        write_outputs(plan, tmp_path, formats=("json", "pptx"))
