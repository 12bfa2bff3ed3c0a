"""Strangler: a static-analysis migration assistant from Python monoliths to AWS serverless.

The one public entry point is `analyze(path, options) -> Plan`. Nothing from the analyzed
tree is ever imported or executed.
"""

from __future__ import annotations

from typing import Any

from analyzer.version import __version__

__all__ = ["analyze", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so parser worker processes that import analyzer.scan do not load every stage.
    if name == "analyze":
        from analyzer.pipeline import analyze

        return analyze
    raise AttributeError(name)
