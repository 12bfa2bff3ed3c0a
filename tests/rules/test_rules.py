"""The data tables in analyzer/rules: AWS limits with sources, and the recommendation policy."""

from __future__ import annotations

import re

import pytest

from analyzer.rules import installed_size_mb, limit, limit_bytes, load_limits, load_policy, load_trait_rules

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
    policy = load_policy()
    keys = {item.key for item in load_limits()}
    named = [spec["limit"] for spec in policy["targets"]["rules"].values() if "limit" in spec]
    named += list(policy["boundaries"]["payload_limits"].values())
    assert set(named) <= keys
    rules = [rule.above_limit for rule in load_trait_rules() if rule.above_limit]
    assert set(rules) <= keys


def test_heavy_packages_are_counted_once_with_what_they_pull_in():
    size, packages = installed_size_mb({"pandas", "sklearn"})
    assert packages == ("numpy", "pandas", "scipy", "sklearn")
    assert size == 35 + 70 + 110 + 45
    assert installed_size_mb({"requests"}) == (0, ())
