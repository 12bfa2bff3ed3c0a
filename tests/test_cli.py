"""End-to-end: run the `strangler` command the way a user does and check what they see."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analyzer.export.plan_json import read_plan
from analyzer.model import Plan

sys.path[:0] = [str(Path(__file__).parent / "decompose"), str(Path(__file__).parent / "recommend")]
from plan_scoring import boundary_accuracy, target_accuracy  # noqa: E402
from scoring import score_against_truth  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHOP = REPO / "samples" / "shop"
CLINIC = REPO / "samples" / "clinic"


def strangler(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=cwd or REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


SMALL_TREE = {
    "app/__init__.py": "",
    "app/billing.py": "def total(items):\n    return sum(items)\n",
    "app/orders.py": "from app.billing import total\n\n\ndef place(items):\n    price = total(items)\n"
                     "    print(price)\n    return price\n",
    "app/broken.py": "def broken(:\n    pass\n",
}


def test_missing_path_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    result = strangler("scan", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"strangler: {tmp_path / 'nowhere'} does not exist; pass the folder of the codebase to analyze."
    )
    assert "Traceback" not in result.stderr


def test_empty_tree_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing to see\n")
    result = strangler("analyze", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"strangler: No Python files found in {tmp_path};")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_option_exits_2_without_traceback(tmp_path: Path) -> None:
    result = strangler("analyze", str(SHOP), "--out", str(tmp_path), "--services", "many")
    assert result.returncode == 2
    assert "'many' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_format_is_refused_with_the_choices(tmp_path: Path) -> None:
    write_tree(tmp_path / "src", SMALL_TREE)
    result = strangler("analyze", str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--format", "json,pdf")
    assert result.returncode == 2
    assert "Unknown --format pdf; choose from json, xlsx" in result.stderr


def test_scan_summarises_and_lists_skipped_files(tmp_path: Path) -> None:
    write_tree(tmp_path, SMALL_TREE)
    result = strangler("scan", str(tmp_path), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "files analyzed" in result.stdout
    assert "skipped app/broken.py: SyntaxError" in result.stdout
    lines = {line.split("│")[1].strip(): line.split("│")[2].strip()
             for line in result.stdout.splitlines() if line.count("│") >= 3}
    assert lines["files analyzed"] == "3"
    assert lines["skipped files"] == "1"


def test_callgraph_pycg_format(tmp_path: Path) -> None:
    write_tree(tmp_path, SMALL_TREE)
    out = tmp_path / "cg.json"
    result = strangler("callgraph", str(tmp_path), "--format", "pycg", "-o", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text()) == {
        "<builtin>.print": [],
        "<builtin>.sum": [],
        "app": [],
        "app.billing": [],
        "app.billing.total": ["<builtin>.sum"],
        "app.orders": [],
        "app.orders.place": ["<builtin>.print", "app.billing.total"],
    }


def test_analyze_writes_every_output_and_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    result = strangler("analyze", "samples/shop", "--out", str(first))
    assert result.returncode == 0, result.stderr
    assert "Proposed" in result.stdout and "services" in result.stdout
    for name in ("plan.json", "plan.xlsx", "report.md", "report.html", "services.dot", "template.yaml"):
        assert (first / name).is_file(), name
    assert strangler("analyze", "samples/shop", "--out", str(second), "--no-cache").returncode == 0
    assert (first / "plan.json").read_bytes() == (second / "plan.json").read_bytes()
    plan = json.loads((first / "plan.json").read_text())
    assert plan["schema_version"] == 1 and plan["source"]["root"] == "samples/shop"


def test_services_flag_steers_the_number_of_services(tmp_path: Path) -> None:
    result = strangler("analyze", "samples/shop", "--out", str(tmp_path), "--services", "4", "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert sum(1 for s in plan["services"] if s["kind"] == "service") == 4


def test_overrides_from_an_edited_spreadsheet_move_a_module(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert strangler("analyze", "samples/shop", "--out", str(out), "--format", "json,xlsx").returncode == 0
    plan = json.loads((out / "plan.json").read_text())
    services = [s for s in plan["services"] if s["kind"] == "service"]
    module, destination = services[0]["modules"][0], services[1]["name"]
    workbook = load_workbook(out / "plan.xlsx")
    sheet = workbook["Modules"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("module")].value == module:
            row[header.index("service")].value = destination
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    result = strangler("analyze", "samples/shop", "--out", str(tmp_path / "new"), "--format", "json",
                       "--overrides", str(edited))
    assert result.returncode == 0, result.stderr
    assert "Applied 1 module assignment(s)" in result.stdout
    new_plan = json.loads((tmp_path / "new" / "plan.json").read_text())
    owner = next(s["name"] for s in new_plan["services"] if module in s["modules"])
    assert owner == destination


def test_overrides_naming_unknown_modules_change_nothing(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.json"
    overrides.write_text(json.dumps({"assign": {"shop.nope": "orders"}}))
    result = strangler("analyze", "samples/shop", "--out", str(tmp_path / "out"), "--overrides", str(overrides))
    assert result.returncode == 2
    assert "shop.nope" in result.stderr
    assert not (tmp_path / "out" / "plan.json").exists()


def test_batch_continues_past_a_broken_codebase(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "notes.txt").write_text("no python here\n")
    out = tmp_path / "reports"
    result = strangler("analyze", str(SHOP), str(CLINIC), str(broken), "--out", str(out), "--jobs", "2",
                       "--format", "json")
    assert result.returncode == 1, result.stderr
    assert (out / "shop" / "plan.json").is_file()
    assert (out / "clinic" / "plan.json").is_file()
    assert not (out / "broken" / "plan.json").exists()
    assert "1 codebase(s) failed: broken" in result.stderr
    index = (out / "index.md").read_text()
    assert "broken" in index and "failed" in index
    portfolio = load_workbook(out / "portfolio.xlsx").active
    assert portfolio.max_row == 4  # header + three codebases


def test_batch_from_file(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# portfolio\n{SHOP}\n{CLINIC}\n")
    result = strangler("analyze", "--from-file", str(listing), "--out", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "Analyzed 2 of 2 codebases" in result.stdout


def test_explain_prints_one_service(tmp_path: Path) -> None:
    assert strangler("analyze", "samples/shop", "--out", str(tmp_path), "--format", "json").returncode == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    name = next(s["name"] for s in plan["services"] if s["kind"] == "service")
    result = strangler("explain", "samples/shop", "--service", name)
    assert result.returncode == 0, result.stderr
    assert name in result.stdout and plan["services"][0]["modules"][0] in result.stdout or name in result.stdout
    unknown = strangler("explain", "samples/shop", "--service", "no-such-service")
    assert unknown.returncode == 2 and name in unknown.stderr


def test_check_reports_new_coupling_with_path_and_line(tmp_path: Path) -> None:
    tree = tmp_path / "shop"
    shutil.copytree(SHOP, tree, ignore=shutil.ignore_patterns(".strangler-cache"))
    assert strangler("analyze", str(tree), "--out", str(tmp_path / "plan"), "--format", "json").returncode == 0
    approved = tmp_path / "plan" / "plan.json"
    clean = strangler("check", str(tree), "--plan", str(approved))
    assert clean.returncode == 0, clean.stdout + clean.stderr

    plan = json.loads(approved.read_text())
    services = [s for s in plan["services"] if s["kind"] == "service"]
    callee_module, callee = first_function(tree, services[1]["modules"])
    caller_module, _ = first_function(tree, services[0]["modules"])
    caller_file = module_file(tree, caller_module)
    source = caller_file.read_text()
    caller_file.write_text(source + f"\n\ndef sneaky_shortcut():\n    from {callee_module} import {callee}\n"
                           f"    return {callee}()\n")
    call_line = source.count("\n") + 5
    dirty = strangler("check", str(tree), "--plan", str(approved))
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    rel = caller_file.relative_to(tree).as_posix()
    assert any(line.startswith(f"{rel}:{call_line}:") and callee in line for line in dirty.stdout.splitlines()), (
        dirty.stdout
    )


def module_file(tree: Path, module: str) -> Path:
    plain = tree / (module.replace(".", "/") + ".py")
    return plain if plain.exists() else tree / module.replace(".", "/") / "__init__.py"


def first_function(tree: Path, modules: list[str]) -> tuple[str, str]:
    """The first module (of a service) with a top-level function, and that function's name."""
    for module in modules:
        for node in ast.parse(module_file(tree, module).read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                return module, node.name
    raise AssertionError(f"no top-level function in {modules}")


def meaning(plan: Plan, sample: str) -> dict[str, object]:
    """What a plan says about a sample, scored against its ground truth: services (ARI and the
    shared kernel), boundaries (style and channel per known call) and compute targets."""
    truth = json.loads((REPO / "samples" / sample / "ground_truth.json").read_text(encoding="utf-8"))
    ari, shared = score_against_truth(plan.module_services(), truth)
    boundaries, boundary_misses = boundary_accuracy(plan, truth)
    targets, target_misses = target_accuracy(plan, truth)
    return {"services ARI": round(ari, 4), "shared kernel recall": round(shared, 4),
            "boundary accuracy": round(boundaries, 4), "boundary misses": boundary_misses,
            "target accuracy": round(targets, 4), "target misses": target_misses}


@pytest.mark.parametrize("sample", ["shop", "clinic"])
def test_bundled_reports_say_what_the_code_says_about_each_sample(sample: str, tmp_path: Path) -> None:
    """reports/<sample>/plan.json and a fresh analysis score the same against ground truth, and well."""
    result = strangler("analyze", f"samples/{sample}", "--out", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    committed = meaning(read_plan(REPO / "reports" / sample / "plan.json"), sample)
    fresh = meaning(read_plan(tmp_path / "plan.json"), sample)
    changed = {key: (committed[key], fresh[key]) for key in fresh if committed[key] != fresh[key]}
    assert not changed, f"the plan for samples/{sample} means something else now (committed, fresh): {changed}"
    assert fresh["boundary accuracy"] >= 0.9 and fresh["target accuracy"] == 1.0, fresh


@pytest.mark.parametrize("sample", ["shop", "clinic"])
def test_reports_are_byte_stable_and_the_bundled_ones_current(sample: str, tmp_path: Path) -> None:
    """The same code and sample give the same bytes, cache or not; reports/ holds those bytes."""
    names = ("plan.json", "report.md", "services.dot", "template.yaml")
    first, second = tmp_path / "first", tmp_path / "second"
    for out, extra in ((first, ()), (second, ("--no-cache",))):
        result = strangler("analyze", f"samples/{sample}", "--out", str(out), "--format", "json,md,dot,sam", *extra)
        assert result.returncode == 0, result.stderr
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), f"{name} differs between two runs"
    stale = [name for name in names if (REPO / "reports" / sample / name).read_bytes() != (first / name).read_bytes()]
    assert not stale, (f"reports/{sample}/{', '.join(stale)} differ from what this code writes; the meaning test "
                       "above says whether services, boundaries or targets changed. Regenerate with `make reports` "
                       "and say in the commit what changed and why.")
