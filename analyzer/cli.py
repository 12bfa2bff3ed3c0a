"""The `strangler` command: one error boundary over the pipeline's use cases.

Each subcommand parses its options, calls analyzer.pipeline / analyzer.export, and renders the
result objects. Errors the user can fix become one sentence on stderr and a non-zero exit code;
`--debug` re-raises them with the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from analyzer import __version__
from analyzer.errors import ExitCode, StranglerError
from analyzer.model import Excluded
from analyzer.options import AnalysisOptions, Flags, options_for

#: Show a progress bar only when a stage has at least this many items (short runs stay quiet).
PROGRESS_MIN_ITEMS = 200
#: Environment variable naming the cache folder (analyzer.scan.cache.ENV_VAR).
CACHE_ENV = "STRANGLER_CACHE_DIR"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return ExitCode.USAGE
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    _show_warnings()
    try:
        return int(args.handler(args, out, err))
    except StranglerError as exc:
        if args.debug:
            raise
        err.print(f"strangler: {exc}", markup=False)
        return int(exc.exit_code)
    except OSError as exc:
        if args.debug:
            raise
        target = exc.filename or "a file"
        err.print(f"strangler: cannot read or write {target} ({exc.strerror}); check the path and permissions.",
                  markup=False)
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        err.print("strangler: interrupted.")
        return 130


class _NoteHandler(logging.Handler):
    """Library warnings (a cache folder refused, a cache entry ignored) as one line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"strangler: note: {record.getMessage()}\n")


def _show_warnings() -> None:
    logger = logging.getLogger("analyzer")
    if not any(isinstance(h, _NoteHandler) for h in logger.handlers):
        logger.addHandler(_NoteHandler(logging.WARNING))
        logger.propagate = False


# --------------------------------------------------------------------------- argument parsing


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strangler",
        description="Plan the migration of a Python monolith to AWS serverless microservices "
        "(the analyzed code is never imported or run, except by `strangler record`, which runs the command you give it).",
    )
    parser.add_argument("--version", action="version", version=f"strangler {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    scan = sub.add_parser("scan", help="scan a codebase and summarise its code graph")
    scan.add_argument("path", help="folder of the codebase")
    _scan_options(scan)
    scan.set_defaults(handler=cmd_scan)

    callgraph = sub.add_parser("callgraph", help="write the function-level call graph")
    callgraph.add_argument("path", help="folder of the codebase")
    callgraph.add_argument("--format", choices=("pycg", "json", "dot"), default="pycg")
    callgraph.add_argument("-o", "--output", help="file to write (default: standard output)")
    _scan_options(callgraph)
    callgraph.set_defaults(handler=cmd_callgraph)

    analyze = sub.add_parser("analyze", help="propose services, boundaries, targets and waves")
    analyze.add_argument("paths", nargs="*", metavar="PATH", help="folder(s) of the codebase(s)")
    analyze.add_argument("--from-file", help="a text file listing one codebase folder per line")
    analyze.add_argument("--out", required=True, help="output folder")
    analyze.add_argument("--format", default="all",
                         help="comma-separated subset of json,xlsx,md,html,dot,svg,sam (default: all)")
    analyze.add_argument("--overrides", help="edited plan.xlsx, or a JSON/TOML file assigning modules to services")
    _runtime_option(analyze)
    _plan_options(analyze)
    _scan_options(analyze)
    analyze.set_defaults(handler=cmd_analyze)

    explain = sub.add_parser("explain", help="explain one proposed service")
    explain.add_argument("path", help="folder of the codebase")
    explain.add_argument("--service", required=True, help="service name as shown in the plan")
    _runtime_option(explain)
    _plan_options(explain)
    _scan_options(explain)
    explain.set_defaults(handler=cmd_explain)

    check = sub.add_parser("check", help="report call sites that cross services but are not in an approved plan")
    check.add_argument("path", help="folder of the codebase")
    check.add_argument("--plan", required=True, help="the approved plan.json")
    check.add_argument("--format", choices=("text", "json"), default="text")
    _scan_options(check)
    check.set_defaults(handler=cmd_check)

    record = sub.add_parser(
        "record", help="RUN your own command (a test suite, a load script) and count the calls it makes between "
        "the codebase's functions, for analyze --runtime",
        description="This is the one Strangler command that executes code: it runs exactly the command you give "
        "after --, without a shell, with a call recorder loaded into every Python process it starts (a "
        "sitecustomize on PYTHONPATH). Only calls between functions in files under --source are written to --out, "
        "as plain JSON counts. It exits with your command's exit code.")
    record.add_argument("--out", required=True, help="the recording file to write (JSON)")
    record.add_argument("--source", default=".", help="folder of the analyzed codebase: only functions in files "
                        "under it are recorded (default: the working directory)")
    record.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND ...",
                        help="the command to run, after --")
    record.set_defaults(handler=cmd_record)

    cache = sub.add_parser("cache", help="where the analysis cache lives, its size; clear it")
    cache.add_argument("action", choices=("info", "clear"), help="info: location, size and entries; "
                       "clear: delete every entry Strangler wrote there")
    cache.add_argument("--cache-dir", help=f"the cache folder (default: ${'{'}{CACHE_ENV}{'}'}, else the user's "
                       "cache folder)")
    cache.set_defaults(handler=cmd_cache)
    return parser


def _scan_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("scan options")
    group.add_argument("--no-cache", action="store_true", help="parse every file again, ignoring the cache")
    group.add_argument("--cache-dir", metavar="DIR", help=f"cache folder (default: ${'{'}{CACHE_ENV}{'}'}, else the "
                       "user's cache folder; see `strangler cache info`)")
    group.add_argument("--jobs", type=_positive_int, default=0, help="parallel workers (default: all cores)")
    group.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="also skip paths with a part matching GLOB (repeatable)")
    group.add_argument("--include", action="append", default=[], metavar="GLOB",
                       help="analyze paths matching GLOB even if excluded by default, e.g. tests (repeatable)")
    group.add_argument("--root", action="append", default=[], metavar="FOLDER",
                       help="an import root: a folder of the codebase that the code imports itself from, "
                       "such as the one holding manage.py (repeatable; default: detected)")
    group.add_argument("--config", help="a TOML file with a [tool.strangler] table (default: the codebase's "
                       "pyproject.toml or strangler.toml)")


def _runtime_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runtime", action="append", default=[], metavar="FILE",
                        help="what the code was seen doing, to weight the plan with: OpenTelemetry traces as OTLP "
                        "JSON, a cProfile/pstats file or a `strangler record` file, told apart by content (repeatable)")


def _plan_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("plan options")
    group.add_argument("--services", type=_service_count, help="aim for this many services (default: as the "
                       "resolution gives)")
    group.add_argument("--resolution", type=_positive_float, help="clustering resolution (higher: more services)")
    group.add_argument("--seed", type=int, help="random seed of the clustering (default 42)")


def _service_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} asks for no service: give 1 or more, or leave --services out "
                                         "to let the resolution decide")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def _flags(args: argparse.Namespace) -> Flags:
    """The options given on the command line (None where a flag was left out)."""
    return Flags(exclude=tuple(args.exclude), include=tuple(args.include), roots=tuple(args.root),
                 cache=False if args.no_cache else None, cache_dir=args.cache_dir or None, jobs=args.jobs or None,
                 services=getattr(args, "services", None), resolution=getattr(args, "resolution", None),
                 seed=getattr(args, "seed", None))


def _config(args: argparse.Namespace) -> Path | None:
    return Path(args.config) if getattr(args, "config", None) else None


def _options_for(path: Path, args: argparse.Namespace) -> AnalysisOptions:
    """Defaults < the project's config < --config file < command-line flags (analyzer.options)."""
    return options_for(path, config=_config(args), flags=_flags(args))


# --------------------------------------------------------------------------- progress


@contextmanager
def _progress(console: Console) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback drawing a bar on a terminal for long stages only."""
    if not console.is_terminal:
        yield lambda stage, done, total: None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if total < PROGRESS_MIN_ITEMS:
            return
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield report


# --------------------------------------------------------------------------- commands


def cmd_scan(args: argparse.Namespace, out: Console, err: Console) -> int:
    from analyzer.pipeline import build
    from analyzer.scan.roots import import_resolution

    path = Path(args.path)
    options = _options_for(path, args)
    started = time.perf_counter()
    with _progress(err) as progress:
        graph = build(path, options, progress)
    seconds = time.perf_counter() - started
    codebase = graph.codebase
    kinds = Counter(d.kind for m in codebase.modules for d in m.definitions)
    edge_kinds = graph.function_edge_kinds()
    import_edges = sum(1 for signals in graph.module_signals().values() if "import" in signals)

    table = Table(title=f"strangler scan {args.path}", show_header=False, title_justify="left")
    table.add_row("files analyzed", f"{codebase.files_analyzed:,}")
    table.add_row("lines of code", f"{codebase.loc:,}")
    table.add_row("modules", f"{len(codebase.modules):,}")
    table.add_row("classes", f"{kinds.get('class', 0):,}")
    table.add_row("functions and methods", f"{kinds.get('function', 0) + kinds.get('method', 0):,}")
    for kind in sorted(edge_kinds):
        table.add_row(f"{kind} edges (function level)", f"{edge_kinds[kind]:,}")
    table.add_row("import edges (module level)", f"{import_edges:,}")
    resolution = codebase.imports or import_resolution(codebase)
    table.add_row("project imports resolved", f"{resolution.resolved:,} of {resolution.project:,} "
                  f"({resolution.share:.1%})")
    table.add_row("not the application", f"{sum(e.files for e in codebase.excluded):,} files")
    table.add_row("skipped files", f"{len(codebase.skipped):,}")
    table.add_row("seconds", f"{seconds:.2f}")
    out.print(table)
    for root in codebase.roots:
        out.print(f"  import root {root.path}: {root.reason}", markup=False)
    for target, count in resolution.unresolved:
        out.print(f"  unresolved import {target} ({count}x)", markup=False)
    for reason, files in _excluded_by_reason(codebase.excluded):
        out.print(f"  left out ({reason}): {files:,} files", markup=False)
    for skipped in codebase.skipped:
        out.print(f"  skipped {skipped.path}: {skipped.reason}", markup=False)
    for note in codebase.notes:
        out.print(f"  note: {note}", markup=False)
    return ExitCode.OK


def _excluded_by_reason(excluded: Sequence[Excluded]) -> list[tuple[str, int]]:
    totals: Counter[str] = Counter()
    for item in excluded:
        totals[item.reason] += item.files
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def cmd_callgraph(args: argparse.Namespace, out: Console, err: Console) -> int:
    from analyzer.export.atomic import write_file
    from analyzer.export.callgraph import render_callgraph
    from analyzer.pipeline import build

    path = Path(args.path)
    with _progress(err) as progress:
        graph = build(path, _options_for(path, args), progress)
    text = render_callgraph(graph, args.format)
    if args.output:
        write_file(Path(args.output), text.encode("utf-8"))
        err.print(f"wrote {args.output}", markup=False)
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def cmd_analyze(args: argparse.Namespace, out: Console, err: Console) -> int:
    from analyzer.export import FORMATS
    from analyzer.pipeline import analyze_batch, analyze_one

    paths = [Path(p) for p in args.paths]
    if args.from_file:
        paths += _read_path_list(Path(args.from_file))
    if not paths:
        err.print("strangler: give at least one codebase folder, or --from-file with one folder per line.")
        return ExitCode.USAGE
    formats = _parse_formats(args.format, FORMATS)
    out_dir = Path(args.out)
    if len(paths) == 1:
        options = _options_for(paths[0], args)
        with _progress(err) as progress:
            result = analyze_one(paths[0], out_dir, options, formats=formats,
                                 overrides=Path(args.overrides) if args.overrides else None, progress=progress,
                                 runtime_files=[Path(f) for f in args.runtime])
        plan = result.plan
        computes = Counter(s.target.compute for s in plan.services if s.target)
        styles = Counter(b.style for b in plan.boundaries)
        out.print(f"Analyzed {plan.source.root}: {plan.source.files_analyzed:,} files, {plan.source.loc:,} LOC, "
                  f"{len(plan.source.skipped)} skipped.", markup=False)
        out.print(f"Proposed {sum(1 for s in plan.services if s.kind == 'service')} services "
                  f"({computes.get('lambda', 0)} Lambda, {computes.get('fargate', 0)} Fargate), "
                  f"{styles.get('sync', 0)} sync and {styles.get('async', 0)} async boundaries, "
                  f"{len(plan.waves)} migration waves.", markup=False)
        if plan.runtime is not None:
            runtime = plan.runtime
            out.print(f"Weighted with {len(runtime.sources)} runtime file(s): {runtime.calls_observed:,} calls "
                      f"observed between {runtime.functions_observed:,} functions, {runtime.observed_only} "
                      f"static analysis missed, {runtime.hot_paths} hot synchronous path(s).", markup=False)
            for source in runtime.sources:
                for note in source.notes:
                    out.print(f"{source.path}: {note}", markup=False)
        if result.moved:
            out.print(f"Applied {result.moved} module assignment(s) from {args.overrides}.", markup=False)
        for note in plan.notes:
            out.print(f"Note: {note}.", markup=False)
        for note in result.notes:
            out.print(note, markup=False)
        out.print(f"Wrote {', '.join(p.name for p in result.written)} to {out_dir}/", markup=False)
        return ExitCode.OK
    if args.overrides:
        err.print("strangler: --overrides applies to one codebase; analyze it on its own.")
        return ExitCode.USAGE
    flags = _flags(args)
    options_for(None, config=_config(args), flags=flags)  # a bad --config stops the batch before it starts
    with _batch_progress(err, len(paths)) as tick:
        batch = analyze_batch(paths, out_dir, config=_config(args), flags=flags, formats=formats, on_done=tick,
                              runtime_files=[Path(f) for f in args.runtime])
    for row in batch.rows:
        status = "ok" if row.status == "ok" else f"FAILED: {row.error}"
        out.print(f"  {row.name}: {status}", markup=False)
        for note in row.notes:
            out.print(f"    note: {note}.", markup=False)
    failed = [r for r in batch.rows if r.status != "ok"]
    out.print(f"Analyzed {len(batch.rows) - len(failed)} of {len(batch.rows)} codebases; "
              f"wrote {out_dir}/index.md and {out_dir}/portfolio.xlsx.", markup=False)
    if failed:
        err.print(f"strangler: {len(failed)} codebase(s) failed: {', '.join(r.name for r in failed)}.",
                  markup=False)
        return ExitCode.FINDINGS
    return ExitCode.OK


@contextmanager
def _batch_progress(console: Console, total: int) -> Iterator[Callable[[str], None]]:
    if not console.is_terminal:
        yield lambda name: None
        return
    bar = Progress(TextColumn("analyzing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                   console=console, transient=True)
    with bar:
        task = bar.add_task("", total=total)
        yield lambda name: bar.update(task, advance=1, description=name)


def cmd_explain(args: argparse.Namespace, out: Console, err: Console) -> int:
    from analyzer.export.explain import render_explain
    from analyzer.pipeline import analyze, load_evidence

    path = Path(args.path)
    with _progress(err) as progress:
        plan = analyze(path, _options_for(path, args), progress, load_evidence(args.runtime, progress))
    out.print(render_explain(plan, args.service), markup=False)
    return ExitCode.OK


def cmd_check(args: argparse.Namespace, out: Console, err: Console) -> int:
    from analyzer.export.check import render_check_json, render_check_text
    from analyzer.pipeline import check_against_plan

    path = Path(args.path)
    with _progress(err) as progress:
        findings = check_against_plan(path, Path(args.plan), _options_for(path, args), progress)
    if args.format == "json":
        sys.stdout.write(render_check_json(findings))
    else:
        text = render_check_text(findings)
        if text:
            sys.stdout.write(text)
        err.print(f"{len(findings)} new cross-service call site(s) not in {args.plan}.", markup=False)
    return ExitCode.FINDINGS if findings else ExitCode.OK


def cmd_record(args: argparse.Namespace, out: Console, err: Console) -> int:
    from analyzer.pipeline import record_command

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        err.print("strangler: give the command to run after --, e.g. strangler record --out calls.json -- pytest -q.")
        return ExitCode.USAGE
    source = Path(args.source)
    err.print(f"strangler: running your command with the call recorder: {' '.join(command)}", markup=False)
    recording = record_command(command, source, Path(args.out))
    data = recording.data
    out.print(f"Recorded {len(data['calls']):,} caller → callee pairs between {len(data['functions']):,} functions "
              f"under {source} from {recording.processes} Python process(es) into {args.out}; "
              f"the command exited with {recording.returncode}.", markup=False)
    if not recording.processes:
        err.print("strangler: no Python process wrote counts: the command ran no Python, or ran it with -I or -E "
                  "(which ignore PYTHONPATH), or exited through os._exit.", markup=False)
    return recording.returncode


def cmd_cache(args: argparse.Namespace, out: Console, err: Console) -> int:
    from analyzer.scan.cache import cache_info, clear_cache, folder_for

    folder = folder_for(options_for(None, flags=Flags(cache_dir=args.cache_dir or None)))
    info = cache_info(folder)
    if args.action == "clear":
        if info.exists and not info.ours:
            err.print(f"strangler: {folder} is not a Strangler cache folder; nothing was deleted.", markup=False)
            return ExitCode.USAGE
        removed = clear_cache(folder)
        out.print(f"Cleared the cache in {folder}: {removed:,} entries ({_size(info.size_bytes)}) deleted.",
                  markup=False)
        return ExitCode.OK
    out.print(f"cache folder: {folder}", markup=False)
    if not info.exists:
        out.print("status: empty (created on the next scan)")
        return ExitCode.OK
    if not info.ours:
        out.print("status: not a Strangler cache folder (no CACHEDIR.TAG and signature); it is left alone")
        return ExitCode.OK
    out.print(f"size: {_size(info.size_bytes)}")
    for kind, count in info.entries.items():
        out.print(f"{kind}: {count:,} entries")
    if info.stale_versions:
        out.print(f"entries of {info.stale_versions} other Strangler version(s): removed on the next scan")
    return ExitCode.OK


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def _read_path_list(path: Path) -> list[Path]:
    from analyzer.inputs import MAX_CONFIG_BYTES, InputRefused, read_limited

    if not path.is_file():
        raise StranglerError(f"--from-file {path} does not exist; give a text file with one folder per line.")
    try:
        lines = read_limited(path, MAX_CONFIG_BYTES).splitlines()
    except (InputRefused, UnicodeDecodeError) as exc:
        raise StranglerError(f"--from-file {path} {exc}; give a text file with one folder per line.") from exc
    base = path.parent
    return [(base / line.strip()) if not Path(line.strip()).is_absolute() else Path(line.strip())
            for line in lines if line.strip() and not line.strip().startswith("#")]


def _parse_formats(text: str, known: Sequence[str]) -> tuple[str, ...]:
    if text == "all":
        return tuple(known)
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in known]
    if unknown or not chosen:
        raise StranglerError(f"Unknown --format {', '.join(unknown) or repr(text)}; choose from {', '.join(known)} "
                             "(comma-separated) or all.")
    return chosen
