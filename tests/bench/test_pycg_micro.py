"""The PyCG micro-benchmark scorer: edge-level precision and recall summed over cases."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import pycg_micro  # noqa: E402


def write_case(root: Path, category: str, case: str, source: str, expected: dict[str, list[str]]) -> None:
    folder = root / category / case
    folder.mkdir(parents=True)
    (folder / "main.py").write_text(source, encoding="utf-8")
    (folder / "callgraph.json").write_text(json.dumps(expected), encoding="utf-8")


def test_scores_edges_summed_over_cases(tmp_path: Path) -> None:
    write_case(tmp_path, "calls", "exact", "def f():\n    pass\n\nf()\n", {"main": ["main.f"], "main.f": []})
    # one expected edge missed (g is never called), one found that is not expected (f)
    write_case(tmp_path, "calls", "wrong", "def f():\n    pass\n\ndef g():\n    pass\n\nf()\n",
               {"main": ["main.g"], "main.f": [], "main.g": []})
    write_case(tmp_path, "other", "two", "def f():\n    pass\n\ndef g():\n    f()\n\ng()\n",
               {"main": ["main.g"], "main.g": ["main.f"]})

    report = pycg_micro.run(tmp_path)

    assert [(s.category, s.case, s.exact) for s in report.scores] == [
        ("calls", "exact", True), ("calls", "wrong", False), ("other", "two", True)]
    wrong = report.scores[1]
    assert (wrong.missed, wrong.extra) == ({("main", "main.g")}, {("main", "main.f")})
    overall = report.overall
    assert (overall.cases, overall.exact, overall.true_positives, overall.found, overall.expected) == (3, 2, 3, 4, 4)
    assert (overall.precision, overall.recall) == (0.75, 0.75)
    calls = report.categories["calls"]
    assert (calls.true_positives, calls.found, calls.expected) == (1, 2, 2)
    assert not report.passes
    assert "  - missed `main` -> `main.g`" in pycg_micro.differences(report)


def test_a_case_that_fails_to_scan_scores_zero_and_says_why(tmp_path: Path) -> None:
    write_case(tmp_path, "broken", "binary", "", {"main": ["main.f"]})
    (tmp_path / "broken" / "binary" / "main.py").write_bytes(b"\x00\x01")

    report = pycg_micro.run(tmp_path)

    [score] = report.scores
    assert score.found == set() and score.error.startswith("NoPythonFiles")
    assert pycg_micro.differences(report)[0].startswith("- `broken/binary`: NoPythonFiles")
    assert (report.overall.precision, report.overall.recall) == (1.0, 0.0)
