"""The same tree gives the same graphs, edge for edge and in the same order, whatever the hash seed
(clustering walks edges in insertion order, so an order that changes per run could change a plan)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: One call that may reach any of several modules: their order must not come from a set.
FILES = {
    "app/__init__.py": "",
    "app/plugins.py": """
        from app import alpha, beta, gamma, delta, epsilon

        HANDLERS = {"a": alpha.run, "b": beta.run, "c": gamma.run, "d": delta.run, "e": epsilon.run}

        def dispatch(kind):
            handler = HANDLERS.get(kind) or alpha.run
            return handler()
    """,
    **{f"app/{name}.py": "def run():\n    return 1\n" for name in ("alpha", "beta", "gamma", "delta", "epsilon")},
}

SCRIPT = """
import sys
from pathlib import Path
from analyzer.graph import build_graph
from analyzer.options import AnalysisOptions
from analyzer.scan import scan
graph = build_graph(scan(Path(sys.argv[1]), AnalysisOptions(cache=False)))
for source, target, attributes in graph.modules.edges(data=True):
    print(source, target, sorted(attributes.items()))
for source, target in graph.functions.edges:
    print(source, target)
"""


def test_graph_edges_come_in_the_same_order_under_every_hash_seed(tmp_path):
    for relative, text in FILES.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    outputs = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                              env=env, check=True, cwd=REPO)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert "app.plugins app.epsilon" in outputs.pop()
