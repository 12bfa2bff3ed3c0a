"""Same tree, same facts: across runs, hash seeds, and parallel or in-process parsing.
And the analyzed code is only ever read, never imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analyzer.export.callgraph import render_callgraph
from analyzer.options import AnalysisOptions
from analyzer.scan import MIN_FILES_FOR_PROCESSES, scan

REPO = Path(__file__).resolve().parents[2]


def layered_tree() -> dict[str, str]:
    """Enough modules for worker processes, with classes, flows and cycles to resolve."""
    files = {"app/__init__.py": "from app.core import *\n", "app/core.py": """
class Base:
    def handle(self):
        return self.step()

    def step(self):
        pass

def run(handler, callback):
    handler.handle()
    callback()
    return run(handler, callback)
"""}
    for index in range(MIN_FILES_FOR_PROCESSES + 5):
        files[f"app/feature{index}.py"] = f"""
from app.core import Base, run
from app import feature{(index + 1) % (MIN_FILES_FOR_PROCESSES + 5)} as neighbour

class Handler{index}(Base):
    def step(self):
        return neighbour.helper()

def helper():
    return run(Handler{index}(), helper)
"""
    return files


def test_two_scans_give_byte_identical_call_graphs(tree):
    root = tree(layered_tree())
    first = render_callgraph(scan(root, AnalysisOptions(cache=False)), "json")
    second = render_callgraph(scan(root, AnalysisOptions(cache=False)), "json")
    assert first == second


def test_worker_processes_and_in_process_parsing_agree(tree):
    root = tree(layered_tree())
    parallel = scan(root, AnalysisOptions(cache=False, jobs=2))
    serial = scan(root, AnalysisOptions(cache=False, jobs=1))
    assert parallel == serial
    assert "app.feature3.Handler3.step" in render_callgraph(parallel, "pycg")


def test_hash_randomisation_does_not_change_the_result(tree):
    root = tree(layered_tree())
    script = ("import sys; from pathlib import Path; from analyzer.scan import scan; "
              "from analyzer.options import AnalysisOptions; from analyzer.export.callgraph import render_callgraph; "
              "sys.stdout.write(render_callgraph(scan(Path(sys.argv[1]), AnalysisOptions(cache=False)), 'json'))")
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, env=env,
                              check=True, cwd=REPO)
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_the_analyzed_code_is_never_imported_or_run(tree, tmp_path):
    marker = tmp_path / "IMPORTED"
    root = tree({
        "boom.py": f"open({str(marker)!r}, 'w').write('ran')\nraise SystemExit('imported!')\n",
        "setup.py": f"import boom\nopen({str(marker)!r}, 'w').write('setup ran')\n",
        "pkg/__init__.py": f"open({str(marker)!r}, 'w').write('package ran')\n",
        "pkg/mod.py": "import boom\n\ndef f():\n    boom.explode()\n",
    })
    codebase = scan(root, AnalysisOptions(cache=False))
    assert not marker.exists()
    assert "boom" not in sys.modules and "pkg" not in sys.modules
    assert [c.callees for c in codebase.module("pkg.mod").calls] == [("<unknown>.explode",)]
