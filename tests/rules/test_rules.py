"""The data tables in analyzer/rules: AWS limits with sources, and the recommendation policy."""

from __future__ import annotations

import re

import pytest
import yaml

from analyzer.errors import ConfigError
from analyzer.rules import (
    RULES_DIR,
    installed_size_mb,
    limit,
    limit_bytes,
    load_limits,
    load_policy,
    load_trait_rules,
)
from analyzer.rules.policy import parse_policy

EXPECTED = {
    "lambda.timeout": (900, "s"),
    "lambda.memory.min": (128, "MB"),
    "lambda.memory.max": (10240, "MB"),
    "lambda.tmp.min": (512, "MB"),
    "lambda.tmp.max": (10240, "MB"),
    "lambda.package.zipped": (50, "MB"),
    "lambda.package.unzipped": (250, "MB"),
    "lambda.container_image": (10, "GB"),
    "lambda.payload.sync": (6, "MB"),
    "lambda.payload.async": (1, "MB"),
    "lambda.concurrency": (1000, "concurrent executions"),
    "sqs.message_size": (1024, "KiB"),
    "sns.message_size": (256, "KiB"),
    "eventbridge.event_size": (256, "KB"),
    "eventbridge.event_size.newer": (1, "MB"),
    "fargate.vcpu.max": (16, "vCPU"),
    "fargate.memory.max": (120, "GB"),
    "fargate.ephemeral_storage.max": (200, "GiB"),
}


def test_every_limit_has_its_value_unit_source_and_date():
    limits = {item.key: item for item in load_limits()}
    assert set(EXPECTED) <= set(limits)
    for key, (value, unit) in EXPECTED.items():
        assert (limits[key].value, limits[key].unit) == (value, unit), key
    for item in limits.values():
        assert item.source.startswith("https://"), item.key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.checked), item.key
        assert item.applies_to in {"lambda", "sqs", "sns", "eventbridge", "fargate"}


def test_eventbridge_records_both_values_and_checks_against_the_conservative_one():
    assert limit("eventbridge.event_size").conservative
    assert not limit("eventbridge.event_size.newer").conservative
    assert limit_bytes("eventbridge.event_size") < limit_bytes("eventbridge.event_size.newer")


def test_sizes_convert_to_bytes_and_unknown_keys_name_the_valid_ones():
    assert limit_bytes("sqs.message_size") == 1_048_576
    assert limit_bytes("lambda.payload.sync") == 6_000_000
    assert limit("sns.message_size").display == "256 KiB"
    with pytest.raises(KeyError, match="lambda.timeout"):
        limit("lambda.timout")


def test_policy_names_only_existing_limits():
    keys = {item.key for item in load_limits()}
    assert set(load_policy().limit_keys()) <= keys
    rules = [rule.above_limit for rule in load_trait_rules() if rule.above_limit]
    assert set(rules) <= keys


def policy_with(change) -> object:
    data = yaml.safe_load((RULES_DIR / "recommend.yml").read_text(encoding="utf-8"))
    change(data)
    return data


@pytest.mark.parametrize("change, message", [
    (lambda d: d["targets"].update(fargate_threshold="high"),
     "recommend.yml: targets.fargate_threshold must be a number."),
    (lambda d: d["waves"]["risk"].pop("high_share"), "recommend.yml: waves.risk has no 'high_share'."),
    (lambda d: d["boundaries"].update(fanout_typo=2), "recommend.yml: boundaries has unknown key(s) fanout_typo."),
    (lambda d: d["targets"]["rules"]["gpu"].update(weight=True),
     "recommend.yml: targets.rules.gpu.weight must be a number."),
    (lambda d: d["waves"]["effort"].update(sizes=[[0, "S"], ["M"]]),
     "recommend.yml: waves.effort.sizes must be a list of [smallest points, size] pairs."),
    (lambda d: d["runtime"]["remedies"].pop("cache"),
     "recommend.yml: runtime.remedies must have exactly the keys batch, cache, event."),
    (lambda d: d["runtime"].update(hot_calls_per_request=0),
     "recommend.yml: runtime.hot_calls_per_request must be greater than 0."),
])
def test_a_policy_mistake_is_one_sentence_naming_the_key(change, message):
    with pytest.raises(ConfigError) as raised:
        parse_policy(policy_with(change))
    assert str(raised.value) == message


def test_the_policy_loads_into_typed_tables():
    policy = load_policy()
    assert policy.targets.rules["long-running-loop"].limit == "lambda.timeout"
    assert "df" in policy.boundaries.payload.data_words and policy.boundaries.payload.content_patterns[0].search("f.read()")
    assert [label for _, label in policy.waves.effort.sizes] == ["S", "M", "L", "XL"]
    assert policy.runtime.hot_calls_per_request == 10 and "get" in policy.runtime.read_words


def test_heavy_packages_are_counted_once_with_what_they_pull_in():
    size, packages = installed_size_mb({"pandas", "sklearn"})
    assert packages == ("numpy", "pandas", "scipy", "sklearn")
    assert size == 35 + 70 + 110 + 45
    assert installed_size_mb({"requests"}) == (0, ())
