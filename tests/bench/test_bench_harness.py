"""The benchmark harness reports what happened: figures, timeouts, failures, floors."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import fetch  # noqa: E402
import scan_bench  # noqa: E402
from scan_bench import CodebaseResult, Run, checks, render_results, run_child  # noqa: E402

SMALL_PROGRAM = {
    "shop/__init__.py": "",
    "shop/orders.py": "from shop.billing import charge\n\n\ndef place(order):\n    return charge(order)\n",
    "shop/billing.py": "def charge(order):\n    return order\n",
}


def write_tree(root: Path) -> list[str]:
    for relative, text in SMALL_PROGRAM.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(SMALL_PROGRAM)


def ok_run(label: str, seconds: float, peak_kib: int = 200 * 1024, **figures) -> Run:
    return Run(label, "ok", seconds + 0.5, peak_kib, peak_kib, figures={"seconds": seconds, **figures})


def result_with(pyan: Run, cold_seconds: float = 10.0, warm_seconds: float = 0.5) -> CodebaseResult:
    runs = {
        "strangler cold": ok_run("strangler cold", cold_seconds, files=3, loc=5),
        "strangler warm": ok_run("strangler warm", warm_seconds, files=3, loc=5),
        "strangler analyze": ok_run("strangler analyze", cold_seconds + 1, build_seconds=cold_seconds,
                                    decompose_seconds=0.5, recommend_seconds=0.5, files=3, loc=5),
        "pyan3": pyan,
    }
    return CodebaseResult("django", "Django==5.2.19", "bench/.cache/src/django-5.2.19", "strangler", 3, 5, runs)


def verdicts(result: CodebaseResult) -> dict[str, bool | None]:
    return {check.what: check.passed for check in checks(result, pyan_timeout=600)}


def test_floors_pass_and_fail_on_the_measured_figures():
    fast = verdicts(result_with(ok_run("pyan3", 100.0), cold_seconds=10.0, warm_seconds=0.5))
    assert fast["cold scan+graph speed vs pyan3"] is True
    assert fast["warm re-run (scan+graph)"] is True
    assert fast["decompose time / scan+graph time"] is True

    slow = verdicts(result_with(ok_run("pyan3", 30.0), cold_seconds=10.0, warm_seconds=3.0))
    assert slow["cold scan+graph speed vs pyan3"] is False
    assert slow["warm re-run (scan+graph)"] is False


def test_a_pyan3_timeout_is_reported_as_such_not_as_a_ratio():
    result = result_with(Run("pyan3", "timeout", 600.0, 300 * 1024, 300 * 1024, error="killed after 600 s"))
    assert scan_bench.speed_ratio(result) is None
    report = render_results([result], checks(result, 600), command="scan_bench.py", when="today",
                            pyan_timeout=600, jobs=0, code_root=Path("snapshot"))
    assert "pyan3 did not finish within 600 s" in report
    assert "> 600 (timeout)" in report


def test_a_failed_strangler_run_shows_its_error_and_is_not_a_pass():
    result = result_with(ok_run("pyan3", 100.0))
    result.runs["strangler warm"] = Run("strangler warm", "error", 1.0, 0, 0,
                                        error="IndexError: list index out of range")
    assert verdicts(result)["warm re-run (scan+graph)"] is None
    report = render_results([result], checks(result, 600), command="scan_bench.py", when="today",
                            pyan_timeout=600, jobs=0, code_root=Path("snapshot"))
    assert "IndexError: list index out of range" in report


def test_pyan3_child_measures_the_given_files(tmp_path):
    files = write_tree(tmp_path / "src")
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(files) + "\n", encoding="utf-8")
    run = run_child("pyan3", ["pyan3", str(tmp_path / "src"), "--files", str(listing)], timeout=120)
    assert run.ok, run.error
    assert run.figures["files"] == len(files)
    assert run.figures["uses_edges"] > 0
    assert run.maxrss_kib > 0


def test_a_child_past_its_timeout_is_killed_and_reported(tmp_path):
    files = write_tree(tmp_path / "src")
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(files) + "\n", encoding="utf-8")
    run = run_child("pyan3", ["pyan3", str(tmp_path / "src"), "--files", str(listing)], timeout=0)
    assert run.status == "timeout"
    assert "killed" in run.error


def test_fetch_unpacks_the_package_once_and_then_skips(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "WHEEL_DIR", tmp_path / "wheels")
    monkeypatch.setattr(fetch, "SOURCE_DIR", tmp_path / "src")
    (tmp_path / "wheels").mkdir()
    with zipfile.ZipFile(tmp_path / "wheels" / "Toy-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("toy/__init__.py", "VALUE = 1\n")
        wheel.writestr("toy-1.0.dist-info/METADATA", "Name: toy\n")
    toy = fetch.Codebase("toy", "Toy", "1.0", "toy", "test")
    said: list[str] = []
    root = fetch.fetch(toy, log=said.append)
    assert (root / "toy" / "__init__.py").read_text() == "VALUE = 1\n"
    assert not (root / "toy-1.0.dist-info").exists()
    fetch.fetch(toy, log=said.append)
    assert "present" in said[-1]


def test_fetch_names_an_unknown_codebase():
    with pytest.raises(fetch.FetchError, match="choose from django, sympy"):
        fetch.select(["numpy"])
