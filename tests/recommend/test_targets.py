"""Lambda or Fargate per service, from the traits and entry points of its modules."""

from __future__ import annotations

from shop_fixture import facts

from analyzer.model import Cluster, CodeBase, EntryPoint, Trait, Trigger
from analyzer.recommend.targets import choose_target
from analyzer.rules import load_policy


def one_module(*traits: Trait, entries: tuple[EntryPoint, ...] = ()):
    codebase = CodeBase(root="x", modules=(facts("app.worker", traits=traits, entries=entries),))
    return choose_target(Cluster(name="worker", kind="service", modules=("app.worker",), loc=100), codebase)


def trait(rule: str, line: int, detail: str) -> Trait:
    return Trait(rule, "app.worker.run", "app/worker.py", line, detail)


def http(line: int, detail: str = "GET /x") -> EntryPoint:
    return EntryPoint("http", detail, "app.worker.view", "app/worker.py", line)


def test_endless_loop_and_ffmpeg_go_to_fargate_with_limits_and_evidence():
    choice = one_module(trait("long-running-loop", 20, "while True:"), trait("native-subprocess", 22, "ffmpeg"))
    target = choice.target
    assert target.compute == "fargate"
    rules = [r.rule for r in target.reasons]
    assert rules[:2] == ["long-running-loop", "native-subprocess"]
    loop = target.reasons[0]
    assert "900 s" in loop.detail
    assert [(e.path, e.line) for e in loop.evidence] == [("app/worker.py", 20)]
    assert "ffmpeg" in target.reasons[1].detail
    assert target.reasons[-1].detail == "Fargate evidence 6 ≥ threshold 3"


def test_http_only_service_is_lambda_saying_why():
    choice = one_module(entries=(http(3, "GET /a"), http(9, "POST /b")))
    target = choice.target
    assert target.compute == "lambda"
    assert target.reasons[0].rule == "request-response-entry-points"
    assert target.reasons[0].detail == "all entry points are short request/response handlers (2 HTTP routes)"
    assert [e.line for e in target.reasons[0].evidence] == [3, 9]
    assert choice.triggers == (Trigger("http", 2, load_policy().targets.triggers["lambda"]["http"]),)
    assert [(e.kind, e.detail, e.line) for e in choice.entry_points] == [("http", "GET /a", 3), ("http", "POST /b", 9)]


def test_weak_traits_alone_stay_on_lambda_but_are_reported():
    choice = one_module(trait("in-process-cache", 5, "_CACHE[k] = v"), trait("background-thread", 8, "Thread(...)"),
                        entries=(http(3),))
    assert choice.target.compute == "lambda"
    assert {"in-process-cache", "background-thread"} <= {r.rule for r in choice.target.reasons}


def test_heavy_packages_weigh_by_estimated_size_against_the_package_limit():
    small = one_module(trait("heavy-dependency", 1, "pandas (~70 MB installed)"), entries=(http(3),))
    huge = one_module(trait("heavy-dependency", 1, "torch (~1500 MB installed)"), entries=(http(3),))
    assert small.target.compute == "lambda"
    assert huge.target.compute == "fargate"
    reason = next(r for r in small.target.reasons if r.rule == "heavy-dependency")
    assert "numpy, pandas" in reason.detail and "105" in reason.detail  # pandas pulls in numpy: sizes summed


def test_a_quick_tool_in_a_subprocess_is_not_enough_for_fargate():
    assert one_module(trait("native-subprocess", 4, "git"), entries=(http(3),)).target.compute == "lambda"
    assert one_module(trait("native-subprocess", 4, "ffmpeg"), entries=(http(3),)).target.compute == "fargate"


def test_confidence_grows_with_the_margin_and_is_bounded():
    borderline = one_module(trait("long-running-loop", 20, "while True:"))
    strong = one_module(trait("long-running-loop", 20, "while True:"), trait("gpu", 4, "model.cuda()"))
    plain = one_module(entries=(http(3),))
    assert 0.5 <= borderline.target.confidence < strong.target.confidence <= 0.95
    assert plain.target.confidence == 0.95


def test_websocket_entry_points_need_a_long_lived_process():
    socket = EntryPoint("websocket", "WS /live", "app.worker.live", "app/worker.py", 12)
    choice = one_module(entries=(socket,))
    assert choice.target.compute == "fargate"
    assert choice.triggers == (Trigger("websocket", 1, load_policy().targets.triggers["fargate"]["websocket"]),)


def test_shop_media_is_fargate_and_the_rest_lambda(shop_decomposition):
    codebase = shop_decomposition.graph.codebase
    computes = {c.name: choose_target(c, codebase).target.compute
                for c in shop_decomposition.clusters if c.kind == "service"}
    assert computes == {"inventory": "lambda", "media": "fargate", "notifications": "lambda",
                        "orders": "lambda", "pricing": "lambda", "reporting": "lambda"}
