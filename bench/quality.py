"""Plan quality on real monoliths: analyze five app-structured projects from PyPI as a user would
and score each plan against the apps its modules belong to.

For each project in bench/realworld_labels.toml: download the pinned wheel (bench/fetch.py),
unpack the whole wheel, run `strangler analyze` on that folder in a child process, and score
plan.json with bench/realworld_score.py. Prints one line per project and, with --write, rewrites
bench/QUALITY.md with the figures, the apps most split, every Fargate verdict with its evidence,
the import roots and the share of project imports resolved. Nothing here asserts: it measures.

Usage:
    .venv/bin/python bench/quality.py                 # all five, using Strangler's cache
    .venv/bin/python bench/quality.py --only pretalx  # one
    .venv/bin/python bench/quality.py --cold --write  # empty cache, rewrite QUALITY.md
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from fetch import Codebase, FetchError, fetch  # noqa: E402
from realworld_score import FLOORS, Score, score  # noqa: E402

LABELS = BENCH_DIR / "realworld_labels.toml"
RESULTS = BENCH_DIR / "QUALITY.md"
OUT_DIR = BENCH_DIR / ".cache" / "quality"


def corpora() -> dict[str, tuple[Codebase, list[list[str]]]]:
    """name -> (the wheel to fetch, whole; its label rules), from the labels file."""
    data = tomllib.loads(LABELS.read_text(encoding="utf-8"))["corpus"]
    found = {}
    for name, entry in data.items():
        distribution, _, version = entry["spec"].partition("==")
        codebase = Codebase(name=f"rw-{name}", distribution=distribution, version=version, package="",
                            why="real app-structured monolith (plan quality)")
        found[name] = (codebase, entry["labels"])
    return found


@dataclass(frozen=True)
class Outcome:
    name: str
    spec: str
    seconds: float
    score: Score | None
    plan: dict | None
    error: str = ""
    foreign_keys: dict | None = None


def run(name: str, codebase: Codebase, rules: list[list[str]], cold: bool) -> Outcome:
    try:
        root = fetch(codebase, log=lambda line: print(f"  {line}", file=sys.stderr))
    except FetchError as exc:
        return Outcome(name, codebase.requirement, 0.0, None, None, str(exc))
    out = OUT_DIR / name
    command = [sys.executable, "-m", "analyzer", "analyze", str(root), "--out", str(out), "--format", "json,md"]
    with tempfile.TemporaryDirectory() as empty_cache:
        if cold:
            command += ["--cache-dir", str(Path(empty_cache) / "cache")]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()
        return Outcome(name, codebase.requirement, seconds, None, None, said[-1] if said else f"exit {result.returncode}")
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    return Outcome(name, codebase.requirement, seconds, score(rules, plan), plan,
                   foreign_keys=foreign_keys(root, plan))


RELATION_FIELDS = ("ForeignKey", "OneToOneField", "ManyToManyField", "relationship")
#: Relations to models that are not the project's own (Django's user, content types, auth).
EXTERNAL_TARGETS = re.compile(r"AUTH_USER_MODEL|ContentType|['\"](auth|contenttypes|sites)\.|\b(User|Group|Permission|Site)\b")


def foreign_keys(root: Path, plan: dict) -> dict:
    """Model relations declared in the source (found with `ast`, independently of Strangler), how
    many the analysis resolved to a model, how many cross services, and how many of those the
    plan lists as data boundaries."""
    import ast

    from analyzer.pipeline import build

    graph = build(root)
    analyzed = {m.path for m in graph.codebase.modules}
    declared: set[tuple[str, int]] = set()
    external: set[tuple[str, int]] = set()
    for path in sorted(analyzed):
        try:
            tree = ast.parse((root / path).read_bytes())
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (node.args or node.keywords):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in RELATION_FIELDS:
                    to = next((k.value for k in node.keywords if k.arg in ("to", "argument")), None)
                    target = ast.unparse(node.args[0] if node.args else to) if node.args or to else ""
                    if not target:
                        continue
                    (external if EXTERNAL_TARGETS.search(target) else declared).add((path, node.lineno))
    resolved = {(a.path, a.line) for a in graph.data_access if a.via == "relation"}
    service_of = {m: s["name"] for s in plan["services"] for m in s["modules"] if s["kind"] == "service"}
    owner = {table: row["owner"] for table, row in plan.get("data", {}).items()}
    crossing = {(a.path, a.line) for a in graph.data_access if a.via == "relation"
                and service_of.get(a.module) and owner.get(a.table) in set(service_of.values())
                and service_of[a.module] != owner[a.table]}
    listed = {(link["path"], link["line"]) for b in plan.get("data_boundaries", []) for link in b["links"]
              if link["kind"] == "relation"}
    patterns: dict[str, int] = {}
    for boundary in plan.get("data_boundaries", []):
        patterns[boundary["pattern"]] = patterns.get(boundary["pattern"], 0) + 1
    return {"declared": len(declared), "external": len(external), "resolved": len(declared & resolved), "crossing": len(crossing),
            "in_data_boundaries": len(crossing & listed), "data_boundaries": len(plan.get("data_boundaries", [])),
            "patterns": patterns}


def line(outcome: Outcome) -> str:
    if outcome.score is None:
        return f"{outcome.name}: failed: {outcome.error}"
    s = outcome.score
    return (f"{outcome.name}: completeness={s.completeness:.3f} layer_services={s.layer_services} junk={s.junk} "
            f"largest={s.largest:.2f} shared_share={s.shared_share:.2f} services={s.services} "
            f"labelled={s.labelled} imports={_imports(outcome.plan)} fargate={len(_fargate(outcome.plan))} "
            f"fks={(outcome.foreign_keys or {}).get('resolved')}/{(outcome.foreign_keys or {}).get('declared')} "
            f"crossing={(outcome.foreign_keys or {}).get('in_data_boundaries')}/{(outcome.foreign_keys or {}).get('crossing')} "
            f"{outcome.seconds:.1f}s{'' if s.floors_met() else '  BELOW FLOOR'}")


def _imports(plan: dict | None) -> str:
    stats = (plan or {}).get("source", {}).get("imports")
    if not stats or not stats["project"]:
        return "n/a"
    return f"{stats['resolved'] / stats['project']:.1%}"


def _fargate(plan: dict | None) -> list[dict]:
    return [s for s in (plan or {}).get("services", ())
            if s.get("kind") == "service" and (s.get("target") or {}).get("compute") == "fargate"]


def render(outcomes: list[Outcome], cold: bool) -> str:
    floors = ", ".join(f"{k} {'≥' if k == 'completeness' else '≤' if k == 'largest' else '='} {v}"
                       for k, v in FLOORS.items())
    rows = [
        "# Plan quality on real monoliths",
        "",
        f"Measured {date.today().isoformat()} on {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, with `bench/quality.py{' --cold' if cold else ''}`: each wheel from PyPI "
        "unpacked whole and analyzed as a user would (`strangler analyze <unpacked wheel>`), the plan scored "
        "against `bench/realworld_labels.toml` by `bench/realworld_score.py`.",
        "",
        f"Floors (issue 10): {floors}; imports of project modules resolved ≥ 95%.",
        "",
        "| project | completeness | layer services | junk | largest | services | shared share | labelled | "
        "imports resolved | Fargate | seconds | floors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        if o.score is None:
            rows.append(f"| {o.name} ({o.spec}) | failed: {o.error} | | | | | | | | | | |")
            continue
        s = o.score
        rows.append(f"| {o.name} ({o.spec}) | {s.completeness:.3f} | {s.layer_services} | {s.junk} | {s.largest:.2f} | "
                    f"{s.services} | {s.shared_share:.2f} | {s.labelled} | {_imports(o.plan)} | {len(_fargate(o.plan))} | "
                    f"{o.seconds:.1f} | {'met' if s.floors_met() and _imports_met(o.plan) else 'missed'} |")
    for o in outcomes:
        if o.score is None or o.plan is None:
            continue
        rows += ["", f"## {o.name}", ""]
        rows += [f"- {note}" for note in o.score.notes] or ["- no app is split"]
        roots = o.plan["source"].get("import_roots", [])
        rows.append("- import roots: " + "; ".join(f"`{r['path']}` ({r['reason']})" for r in roots))
        left_out: dict[str, int] = {}
        for item in o.plan["source"].get("excluded", []):
            left_out[item["reason"]] = left_out.get(item["reason"], 0) + item["files"]
        if left_out:
            rows.append("- not the application: " + ", ".join(f"{reason} {files}" for reason, files in
                                                               sorted(left_out.items(), key=lambda i: -i[1])))
        rows.append("- services: " + ", ".join(f"{s['name']} ({len(s['modules'])})" for s in o.plan["services"]))
        fks = o.foreign_keys or {}
        if fks.get("declared"):
            rows.append(f"- model relations: {fks['declared']} to the project's own models (found with `ast`; "
                        f"{fks['external']} more point at Django's user, groups or content types), {fks['resolved']} "
                        f"resolved to a model, {fks['crossing']} across services, {fks['in_data_boundaries']} of those in "
                        f"{fks['data_boundaries']} data boundaries ("
                        + ", ".join(f"{k} {v}" for k, v in sorted(fks["patterns"].items())) + ")")
        calls = [c for b in o.plan["boundaries"] for c in b["calls"]]
        held = [c for c in calls if c["style"] == "sync" and any("keep the call synchronous" in r for r in c["reasons"])]
        events = o.plan.get("events", [])
        rows.append(f"- cross-service calls: {len(calls)} ({sum(c['style'] == 'async' for c in calls)} async); "
                    f"{len(held)} discarded-result calls kept synchronous for consistency; {len(events)} fan-out "
                    f"events ({sum(e['channel'] == 'eventbridge' for e in events)} EventBridge, "
                    f"{sum(e['channel'] == 'sns' for e in events)} SNS)")
        for event in events[:3]:
            rows.append(f"  - event from `{event['publisher']}` (`{event['path']}:{event['line']}`) to "
                        f"{', '.join(event['consumers'])} over {event['channel']}")
        for call in held[:3]:
            rows.append(f"  - kept sync: `{call['path']}:{call['line']}` {call['caller']} → {call['callee']}: "
                        f"{call['reasons'][0]}")
        verdict = o.plan.get("verdict") or {}
        if verdict:
            rows.append(f"- verdict: {verdict['summary']}")
        fargate = _fargate(o.plan)
        rows += ["", f"Fargate verdicts ({len(fargate)}):" if fargate else "Fargate verdicts: none."]
        for service in fargate:
            rows.append(f"- **{service['name']}**")
            for reason in service["target"]["reasons"]:
                where = ", ".join(f"`{e['path']}:{e['line']}`" for e in reason.get("evidence", [])[:3])
                rows.append(f"  - {reason['rule']}: {reason['detail']}" + (f" ({where})" if where else ""))
    return "\n".join(rows) + "\n"


def _imports_met(plan: dict | None) -> bool:
    stats = (plan or {}).get("source", {}).get("imports")
    return bool(stats) and stats["resolved"] >= 0.95 * stats["project"]


def main(argv: list[str] | None = None) -> int:
    available = corpora()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(available), help="one project (repeatable)")
    parser.add_argument("--cold", action="store_true", help="analyze with an empty cache")
    parser.add_argument("--write", action="store_true", help=f"rewrite {RESULTS.name}")
    args = parser.parse_args(argv)
    outcomes = []
    for name in args.only or sorted(available):
        codebase, rules = available[name]
        outcome = run(name, codebase, rules, args.cold)
        print(line(outcome), flush=True)
        if outcome.score is not None:
            for note in outcome.score.notes:
                print(f"    {note}")
        outcomes.append(outcome)
    if args.write:
        RESULTS.write_text(render(outcomes, args.cold), encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0 if all(o.score is not None for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
