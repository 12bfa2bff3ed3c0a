"""Symbol uses are the evidence for data access: they must name the classes really used."""

from pathlib import Path

from analyzer.graph import build_graph
from analyzer.options import AnalysisOptions
from analyzer.scan import scan

SHOP = Path(__file__).resolve().parents[2] / "samples" / "shop"


def test_a_generic_repository_receiver_is_not_cited_as_every_model() -> None:
    """`UserRepository(s).get_or_raise(id)` goes through a Generic base whose `self.model` may be
    any subclass's model; citing all of them would claim accounts reads orders and payments."""
    graph = build_graph(scan(SHOP, AnalysisOptions(cache=False)))
    tables = {a.table for a in graph.data_access if a.module == "shop.services.account_service"}
    assert {"users", "addresses"} <= tables <= {"users", "addresses", "roles", "user_roles"}
