"""Scan benchmark: Strangler against pyan3 on the same real files, in the same run.

For each codebase fetched by bench/fetch.py this measures, each in a fresh child process:

  strangler cold     analyzer.pipeline.build (scan + graph) with an empty cache folder
  strangler warm     the same call again on the cache the cold run left behind
  strangler analyze  scan + graph + decompose + recommend, cold, timing each stage
  pyan3              pyan.analyzer.CallGraphVisitor over exactly the files Strangler analyzed

and prints files, lines, seconds and peak memory, the pyan3/Strangler speed ratio, and the
floors (Django cold >= 5x faster than pyan3, peak memory < 1 GB, warm re-run < 1 s).

    .venv/bin/python bench/scan_bench.py [--only django] [--skip-pyan] [--write-results]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(REPO_ROOT))

from fetch import CACHE_DIR, Codebase, FetchError, fetch, select  # noqa: E402

MEASURE = BENCH_DIR / "measure.py"
CODE_ROOT_VARIABLE = "STRANGLER_BENCH_CODE_ROOT"  # read by measure.py: where to import analyzer from
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
RUN_CACHE_DIR = CACHE_DIR / "strangler-cache"
CODE_SNAPSHOT_DIR = CACHE_DIR / "code"
POLL_SECONDS = 0.05
STRANGLER_TIMEOUT = 1800.0
GIB = 1024 * 1024  # KiB per GiB

#: The floors from the issues. They bind on Django; the other codebases get the same checks as
#: information ("within"/"over") on how the figures scale.
FLOOR_CODEBASES = frozenset({"django"})
FLOOR_SPEEDUP = 5.0  # Django cold scan+graph at least this many times faster than pyan3
FLOOR_PEAK_KIB = GIB  # peak memory of any Strangler run, whole process tree
FLOOR_WARM_SECONDS = 1.0  # warm re-run (scan+graph on a full cache)
FLOOR_DECOMPOSE_SHARE = 0.20  # decompose must add less than this to scan+graph


# --------------------------------------------------------------------------- running children


@dataclass
class Run:
    """One child process: its status, its own figures, and what the kernel says it cost."""

    label: str
    status: str  # "ok" | "error" | "timeout"
    wall_seconds: float
    maxrss_kib: int  # largest single process in the tree (ru_maxrss from wait4)
    tree_peak_kib: int  # sampled peak of the whole tree's proportional set size (PSS)
    cpu_seconds: float = 0.0  # user + system time of the child and its waited-for descendants
    load_before: float = 0.0  # 1-minute load average when the run started (others' work skews times)
    figures: dict = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def seconds(self) -> float | None:
        return self.figures.get("seconds") if self.ok else None

    @property
    def peak_kib(self) -> int:
        return max(self.maxrss_kib, self.tree_peak_kib)


def _descendants(pid: int) -> list[int]:
    """The process and every live descendant, found through /proc parent links."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


def _memory_kib(pid: int) -> int:
    """Proportional set size (shared pages split between sharers), else RSS, of one process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


def run_child(label: str, arguments: list[str], timeout: float, code_root: Path | None = None) -> Run:
    """Run bench/measure.py in a fresh interpreter; time it and track its memory until it exits."""
    with tempfile.TemporaryDirectory(prefix="strangler-bench-") as scratch:
        out = Path(scratch) / "figures.json"
        log = Path(scratch) / "output.log"
        command = [sys.executable, str(MEASURE), *arguments[:2], str(out), *arguments[2:]]
        load_before = os.getloadavg()[0]
        with open(log, "wb") as output:
            started = time.perf_counter()
            environment = dict(os.environ)
            if code_root is not None:
                environment[CODE_ROOT_VARIABLE] = str(code_root)
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=REPO_ROOT,
                                       env=environment, start_new_session=True)
            tree_peak = 0
            status = "ok"
            while True:
                pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - started > timeout:
                    os.killpg(process.pid, signal.SIGKILL)
                    pid, wait_status, usage = os.wait4(process.pid, 0)
                    status = "timeout"
                    break
                tree_peak = max(tree_peak, sum(_memory_kib(p) for p in _descendants(process.pid)))
                time.sleep(POLL_SECONDS)
            wall = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(wait_status)
        error = ""
        figures: dict = {}
        if status == "ok" and process.returncode == 0 and out.is_file():
            figures = json.loads(out.read_text(encoding="utf-8"))
        elif status == "ok":
            status = "error"
            error = _error_tail(log.read_text(encoding="utf-8", errors="replace")) or (
                f"exit code {process.returncode}")
        else:
            error = f"killed after {timeout:.0f} s"
    return Run(label, status, wall, usage.ru_maxrss, tree_peak, usage.ru_utime + usage.ru_stime, load_before,
               figures, error)


def source_digest(folder: Path) -> str:
    """A short digest of a copy of Strangler's sources, to name and report the measured version."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def snapshot_code() -> Path:
    """Copy analyzer/ once at the start, and measure the copy.

    Other people edit analyzer/ while a benchmark runs for twenty minutes; measuring the live
    tree would mix versions between runs (and the scan cache, keyed on the scanner's version,
    would make the warm run miss). Returns the folder to put first on the children's sys.path.
    """
    digest = source_digest(REPO_ROOT / "analyzer")
    target = CODE_SNAPSHOT_DIR / digest
    if not (target / "analyzer").is_dir():
        partial = CODE_SNAPSHOT_DIR / f"{digest}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(REPO_ROOT / "analyzer", partial / "analyzer",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    for older in CODE_SNAPSHOT_DIR.iterdir():
        if older != target:
            shutil.rmtree(older, ignore_errors=True)
    return target


def _error_tail(output: str, keep: int = 14) -> str:
    """The end of a child's output, starting on a whole traceback frame rather than mid-frame."""
    lines = output.strip().splitlines()[-keep:]
    while len(lines) > 1 and not lines[0].startswith(("Traceback", "  File")):
        lines.pop(0)
    return "\n".join(lines)


# --------------------------------------------------------------------------- one codebase


@dataclass
class CodebaseResult:
    name: str
    requirement: str
    root: str
    file_list_from: str  # "strangler" or "harness discovery"
    files: int
    lines: int  # physical lines of the files both tools were given
    runs: dict[str, Run]  # by label
    repeats: int = 1


def discover(root: Path) -> list[str]:
    """Fallback file list when Strangler cannot run: .py files minus its default excludes."""
    from analyzer.options import AnalysisOptions

    options = AnalysisOptions()
    found = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if any(fnmatch(part, pattern) for part in relative.parts for pattern in options.excludes):
            continue
        if path.stat().st_size > options.max_file_bytes:
            continue
        found.append(relative.as_posix())
    return sorted(found)


def count_lines(root: Path, paths: list[str]) -> int:
    return sum(len((root / path).read_bytes().splitlines()) for path in paths)


def _median_run(runs: list[Run]) -> Run:
    """The run with the median time (errors win, so a failure is never hidden by a repeat)."""
    failed = [run for run in runs if not run.ok]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda run: run.seconds)
    chosen = ordered[(len(ordered) - 1) // 2]
    chosen.figures["all_seconds"] = [round(run.seconds, 3) for run in runs]
    chosen.tree_peak_kib = max(run.tree_peak_kib for run in runs)
    chosen.maxrss_kib = max(run.maxrss_kib for run in runs)
    return chosen


def bench_codebase(codebase: Codebase, *, skip_pyan: bool, pyan_timeout: float, repeats: int,
                   jobs: int, code_root: Path, say) -> CodebaseResult:
    root = fetch(codebase, log=say)
    RUN_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[Run]] = {"strangler cold": [], "strangler warm": [], "strangler analyze": []}
    files_file = RUN_CACHE_DIR / f"{codebase.name}-files.txt"
    files_file.unlink(missing_ok=True)
    jobs_args = ["--jobs", str(jobs)]
    for repeat in range(repeats):
        cache = Path(tempfile.mkdtemp(prefix=f"{codebase.name}-", dir=RUN_CACHE_DIR))
        try:
            say(f"{codebase.name}: strangler scan+graph, cold (run {repeat + 1}/{repeats}) ...")
            runs["strangler cold"].append(run_child(
                "strangler cold",
                ["strangler-build", str(root), "--cache-dir", str(cache), "--files-out", str(files_file),
                 *jobs_args], STRANGLER_TIMEOUT, code_root))
            say(f"{codebase.name}: strangler scan+graph, warm ...")
            runs["strangler warm"].append(run_child(
                "strangler warm", ["strangler-build", str(root), "--cache-dir", str(cache), *jobs_args],
                STRANGLER_TIMEOUT, code_root))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        cache = Path(tempfile.mkdtemp(prefix=f"{codebase.name}-", dir=RUN_CACHE_DIR))
        try:
            say(f"{codebase.name}: strangler full analyze, cold ...")
            runs["strangler analyze"].append(run_child(
                "strangler analyze", ["strangler-analyze", str(root), "--cache-dir", str(cache), *jobs_args],
                STRANGLER_TIMEOUT, code_root))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    chosen = {label: _median_run(label_runs) for label, label_runs in runs.items()}

    if files_file.is_file():
        paths = [line for line in files_file.read_text(encoding="utf-8").splitlines() if line]
        source = "strangler"
    else:
        paths = discover(root)
        files_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
        source = "harness discovery (strangler failed)"
    if not skip_pyan:
        say(f"{codebase.name}: pyan3 on the same {len(paths)} files (timeout {pyan_timeout:.0f} s) ...")
        chosen["pyan3"] = run_child("pyan3", ["pyan3", str(root), "--files", str(files_file)], pyan_timeout)
    return CodebaseResult(codebase.name, codebase.requirement, str(root.relative_to(REPO_ROOT)), source,
                          len(paths), count_lines(root, paths), chosen, repeats)


# --------------------------------------------------------------------------- verdicts


@dataclass
class Check:
    codebase: str
    what: str
    measured: str
    floor: str
    passed: bool | None  # None: could not be measured

    @property
    def binding(self) -> bool:
        """The floors were set for Django; other codebases show how the same figures scale."""
        return self.codebase in FLOOR_CODEBASES

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "n/a"
        if self.binding:
            return "PASS" if self.passed else "FAIL"
        return "within (info)" if self.passed else "over (info)"


def speed_ratio(result: CodebaseResult) -> float | None:
    cold, pyan = result.runs.get("strangler cold"), result.runs.get("pyan3")
    if not cold or not cold.ok or not pyan:
        return None
    if pyan.status == "timeout":
        return None
    return pyan.seconds / cold.seconds if pyan.ok and cold.seconds else None


def checks(result: CodebaseResult, pyan_timeout: float) -> list[Check]:
    found: list[Check] = []
    cold = result.runs["strangler cold"]
    warm = result.runs["strangler warm"]
    analyze = result.runs["strangler analyze"]
    pyan = result.runs.get("pyan3")
    if pyan is not None:
        ratio = speed_ratio(result)
        if pyan.status == "timeout" and cold.ok:
            measured, passed = f"pyan3 > {pyan_timeout:.0f} s (timeout), strangler {cold.seconds:.1f} s", (
                pyan_timeout / cold.seconds >= FLOOR_SPEEDUP)
        elif ratio is not None:
            measured, passed = f"{ratio:.1f}x", ratio >= FLOOR_SPEEDUP
        else:
            measured, passed = "not measured", None
        found.append(Check(result.name, "cold scan+graph speed vs pyan3", measured,
                           f">= {FLOOR_SPEEDUP:.0f}x", passed))
    strangler_runs = [run for run in (cold, warm, analyze) if run.ok]
    if strangler_runs:
        peak = max(run.peak_kib for run in strangler_runs)
        found.append(Check(result.name, "peak memory (any strangler run)", _mib(peak), "< 1024 MiB",
                           peak < FLOOR_PEAK_KIB))
    else:
        found.append(Check(result.name, "peak memory (any strangler run)", "not measured", "< 1024 MiB", None))
    found.append(Check(result.name, "warm re-run (scan+graph)",
                       f"{warm.seconds:.2f} s" if warm.ok else "not measured", f"< {FLOOR_WARM_SECONDS:.0f} s",
                       warm.seconds < FLOOR_WARM_SECONDS if warm.ok else None))
    if analyze.ok and analyze.figures.get("build_seconds"):
        share = analyze.figures["decompose_seconds"] / analyze.figures["build_seconds"]
        found.append(Check(result.name, "decompose time / scan+graph time", f"{share:.0%}",
                           f"< {FLOOR_DECOMPOSE_SHARE:.0%}", share < FLOOR_DECOMPOSE_SHARE))
    else:
        found.append(Check(result.name, "decompose time / scan+graph time", "not measured",
                           f"< {FLOOR_DECOMPOSE_SHARE:.0%}", None))
    return found


# --------------------------------------------------------------------------- rendering


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


HEADER = ("codebase", "run", "files", "lines", "seconds", "process wall s", "process CPU s", "load before",
          "peak RSS (largest proc)", "peak PSS (process tree)", "notes")


def table_rows(result: CodebaseResult, pyan_timeout: float) -> list[tuple[str, ...]]:
    rows = []
    for label, run in result.runs.items():
        figures = run.figures
        if run.status == "timeout":
            seconds, notes = f"> {pyan_timeout:.0f} (timeout)", "killed: did not finish"
        elif not run.ok:
            seconds, notes = "error", run.error.splitlines()[-1][:100] if run.error else "failed"
        else:
            seconds = f"{run.seconds:.2f}"
            notes = _notes(label, figures)
        files = str(figures.get("files", result.files)) if run.ok else str(result.files)
        rows.append((result.name, label, files, f"{result.lines:,}", seconds, f"{run.wall_seconds:.1f}",
                     f"{run.cpu_seconds:.1f}", f"{run.load_before:.1f}", _mib(run.maxrss_kib),
                     _mib(run.tree_peak_kib), notes))
    return rows


def _notes(label: str, figures: dict) -> str:
    parts = []
    if label.startswith("strangler"):
        parts.append(f"loc {figures.get('loc', 0):,}, {figures.get('functions', 0):,} functions, "
                     f"{figures.get('function_edges', 0):,} call edges")
        if figures.get("skipped"):
            parts.append(f"{figures['skipped']} skipped")
    if label == "strangler analyze":
        parts.append(f"scan+graph {figures['build_seconds']:.2f} s, decompose {figures['decompose_seconds']:.2f} s, "
                     f"recommend {figures['recommend_seconds']:.2f} s, {figures.get('services', 0)} services")
    if label == "pyan3":
        parts.append(f"{figures.get('nodes', 0):,} nodes, {figures.get('uses_edges', 0):,} uses edges")
        if figures.get("files_given", 0) != figures.get("files", 0):
            parts.append(f"{figures['files_given'] - figures['files']} files pyan3 could not parse")
    if len(figures.get("all_seconds", ())) > 1:
        parts.append("runs " + ", ".join(f"{s:.2f}" for s in figures["all_seconds"]))
    return "; ".join(parts)


def print_report(results: list[CodebaseResult], verdicts: list[Check], pyan_timeout: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 150)
    table = Table(title="Strangler vs pyan3 (fresh process per run; seconds = the measured call only)")
    short = ("codebase", "run", "files", "lines", "seconds", "wall s", "CPU s", "load", "RSS max", "PSS tree")
    for column in short:
        table.add_column(column, justify="left" if column in {"codebase", "run"} else "right", no_wrap=True)
    notes = []
    for result in results:
        for row in table_rows(result, pyan_timeout):
            table.add_row(*row[:-1])
            if row[-1]:
                notes.append(f"{row[0]} {row[1]}: {row[-1]}")
    console.print(table)
    for note in notes:
        console.print(note, highlight=False, markup=False)
    for result in results:
        ratio = speed_ratio(result)
        if ratio is not None:
            console.print(f"{result.name}: pyan3 / strangler cold = [bold]{ratio:.1f}x[/bold]")
        for label, run in result.runs.items():
            if not run.ok and run.error and run.status != "timeout":
                console.print(f"{result.name} {label} {run.status}:\n{run.error}", markup=False, highlight=False)
    checks_table = Table(title="Floors")
    for column in ("codebase", "check", "measured", "floor", "verdict"):
        checks_table.add_column(column)
    for check in verdicts:
        checks_table.add_row(check.codebase, check.what, check.measured, check.floor, check.verdict)
    console.print(checks_table)


def machine() -> dict[str, str]:
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / GIB:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus (nproc)": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def versions(code_root: Path) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import analyzer

    found = {"strangler": f"{analyzer.__version__}{_git_revision()}; measured a copy of analyzer/ "
                          f"taken at the start, digest {code_root.name}"}
    for name in ("pyan3", "networkx", "ast-grep-py"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _git_revision() -> str:
    try:
        revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                  text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "analyzer"], cwd=REPO_ROOT, capture_output=True,
                               text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if revision.returncode != 0:
        return " (no commit yet, working tree)"
    return f" (git {revision.stdout.strip()}{', analyzer/ modified' if dirty.stdout.strip() else ''})"


def render_results(results: list[CodebaseResult], verdicts: list[Check], *, command: str, when: str,
                   pyan_timeout: float, jobs: int, code_root: Path) -> str:
    """RESULTS.md: the latest figures, where they came from, and how to reproduce them."""
    lines = [
        "# Benchmark results",
        "",
        "Generated by `bench/scan_bench.py --write-results`; do not edit by hand (rerun instead).",
        "See bench/README.md for what each figure means.",
        "",
        f"- Date: {when}",
    ]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    lines += [f"- {key} version: {value}" for key, value in versions(code_root).items()]
    lines += [
        f"- Strangler options: `AnalysisOptions(cache_dir=<fresh temp dir>, cache=True, jobs={jobs})` "
        "(jobs 0 = all cores), default excludes (tests, migrations, ...)",
        f"- pyan3: `pyan.analyzer.CallGraphVisitor(files, root=root)` on Strangler's analyzed files, "
        f"timeout {pyan_timeout:.0f} s",
        "",
        "## Commands",
        "",
        "```sh",
        ".venv/bin/python bench/fetch.py",
        command,
        "```",
        "",
        "## Codebases",
        "",
        "| codebase | pinned wheel | analyzed files | lines (physical) | file list from |",
        "|---|---|---:|---:|---|",
    ]
    for result in results:
        lines.append(f"| {result.name} | `{result.requirement}` | {result.files:,} | {result.lines:,} | "
                     f"{result.file_list_from} |")
    lines += ["", "## Figures", "",
              "`seconds` is the measured call alone (interpreter start and imports excluded); "
              "`process wall s` is the whole child process and `process CPU s` its user+system time, "
              "parse workers included. `load before` is the 1-minute load average when the run started: "
              "this machine is shared, and a load above the core count means the times are inflated. "
              "Peak RSS is the kernel's `ru_maxrss` for the largest single process (`os.wait4`); peak PSS "
              "is the sampled sum over the process tree (parse workers included), shared pages counted once.",
              ""]
    lines.append("| " + " | ".join(HEADER) + " |")
    lines.append("|" + "|".join("---:" if column in {"files", "lines", "seconds"} else "---" for column in HEADER) + "|")
    for result in results:
        for row in table_rows(result, pyan_timeout):
            lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    lines += ["", "## Speed ratio (pyan3 / Strangler cold scan+graph)", ""]
    for result in results:
        ratio = speed_ratio(result)
        pyan = result.runs.get("pyan3")
        if ratio is not None:
            lines.append(f"- {result.name}: **{ratio:.1f}x**")
        elif pyan is not None and pyan.status == "timeout":
            lines.append(f"- {result.name}: pyan3 did not finish within {pyan_timeout:.0f} s")
        else:
            lines.append(f"- {result.name}: not measured")
    lines += ["", "## Floors", "", "| codebase | check | measured | floor | verdict |", "|---|---|---|---|---|"]
    for check in verdicts:
        lines.append(f"| {check.codebase} | {check.what} | {check.measured} | {check.floor} | "
                     f"{check.verdict} |")
    skipped = [(result.name, path, reason) for result in results
               for path, reason in result.runs["strangler cold"].figures.get("skipped_files", ())]
    if skipped:
        lines += ["", "## Files Strangler skipped (cold run, first 20 per codebase)", "",
                  "| codebase | file | reason |", "|---|---|---|"]
        lines += [f"| {name} | `{path}` | {reason.replace('|', '/')} |" for name, path, reason in skipped]
    failures = [(result.name, label, run) for result in results for label, run in result.runs.items()
                if not run.ok and run.error and run.status != "timeout"]
    if failures:
        lines += ["", "## Errors", ""]
        for name, label, run in failures:
            lines += [f"{name} / {label}:", "", "```", run.error, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="benchmark only this codebase (repeatable)")
    parser.add_argument("--skip-pyan", action="store_true", help="do not run pyan3 (it is the slow part)")
    parser.add_argument("--pyan-timeout", type=float, default=600.0, help="seconds before pyan3 is killed")
    parser.add_argument("--repeat", type=int, default=1, help="run each Strangler measurement N times, keep the median")
    parser.add_argument("--jobs", type=int, default=0, help="AnalysisOptions.jobs for Strangler (0 = all cores)")
    parser.add_argument("--write-results", action="store_true", help="rewrite bench/RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a floor is missed")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        codebases = select(args.only)
    except FetchError as exc:
        say(f"error: {exc}")
        return 2
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results: list[CodebaseResult] = []
    code_root = snapshot_code()
    say(f"measuring a copy of analyzer/ (digest {code_root.name}) in {code_root.relative_to(REPO_ROOT)}")
    try:
        for codebase in codebases:
            results.append(bench_codebase(codebase, skip_pyan=args.skip_pyan, pyan_timeout=args.pyan_timeout,
                                          repeats=max(1, args.repeat), jobs=args.jobs, code_root=code_root,
                                          say=say))
    except FetchError as exc:
        say(f"error: {exc}")
        return 2
    verdicts = [check for result in results for check in checks(result, args.pyan_timeout)]
    print_report(results, verdicts, args.pyan_timeout)
    if args.json:
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=1, sort_keys=True),
                             encoding="utf-8")
    if args.write_results:
        command = ".venv/bin/python bench/scan_bench.py " + " ".join(argv if argv is not None else sys.argv[1:])
        RESULTS_FILE.write_text(render_results(results, verdicts, command=command.strip(), when=when,
                                               pyan_timeout=args.pyan_timeout, jobs=args.jobs,
                                               code_root=code_root),
                                encoding="utf-8")
        say(f"wrote {RESULTS_FILE.relative_to(REPO_ROOT)}")
    return 1 if args.check and any(check.binding and check.passed is False for check in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
