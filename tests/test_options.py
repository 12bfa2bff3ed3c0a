"""Options: defaults are the schema, project config and --config files merge, bad keys are refused."""

from pathlib import Path

import pytest

from analyzer.errors import ConfigError
from analyzer.options import (
    PROJECT_OPTIONS,
    USER_ONLY_OPTIONS,
    AnalysisOptions,
    load_project_options,
    options_from_mapping,
)


def test_pyproject_table_overrides_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.strangler]\nservices = 6\nweights = {data = 3.0}\nextra_exclude = ["scripts"]\n'
    )
    options = load_project_options(tmp_path)
    assert options.services == 6
    assert options.weights["data"] == 3.0
    assert options.weights["call"] == AnalysisOptions().weights["call"]
    assert "scripts" in options.excludes


def test_config_file_wins_over_project_file(tmp_path: Path) -> None:
    (tmp_path / "strangler.toml").write_text("resolution = 0.5\nseed = 3\n")
    extra = tmp_path / "team.toml"
    extra.write_text("[tool.strangler]\nseed = 9\n")
    options = load_project_options(tmp_path, extra)
    assert (options.resolution, options.seed) == (0.5, 9)


def test_unknown_key_is_named_with_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Unknown option\(s\) servics in .*valid options are: .*services"):
        options_from_mapping({"servics": 3}, origin="strangler.toml")


def test_wrong_type_says_what_is_expected() -> None:
    with pytest.raises(ConfigError, match="Option 'services' in configuration must be a whole number, not 'many'"):
        options_from_mapping({"services": "many"})


def test_unknown_signal_weight_is_refused() -> None:
    with pytest.raises(ConfigError, match="Unknown signal"):
        options_from_mapping({"weights": {"vibes": 1.0}})


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "strangler.toml").write_text("services = [\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_project_options(tmp_path)


def test_missing_config_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_project_options(tmp_path, tmp_path / "nope.toml")


@pytest.mark.parametrize("line", ['cache_dir = "/var/lib/important"', "cache = false", "jobs = 64",
                                  "max_file_bytes = 9000000000", "cochange_commits = 100000000"])
def test_the_analyzed_project_may_not_set_options_that_reach_beyond_analysis(tmp_path: Path, line: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.strangler]\n{line}\n")
    key = line.split(" ")[0]
    with pytest.raises(ConfigError, match=rf"pyproject.toml sets '{key}', which the analyzed project may not set "
                                          r"because .*; remove it there and pass it in your own --config file"):
        load_project_options(tmp_path)


def test_the_users_own_config_file_may_set_them(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(f'cache_dir = "{tmp_path / "cache"}"\njobs = 2\n')
    options = load_project_options(tmp_path / "project", mine)
    assert (options.cache_dir, options.jobs) == (str(tmp_path / "cache"), 2)


def test_every_option_is_either_a_project_option_or_a_user_only_one() -> None:
    fields = set(AnalysisOptions.__dataclass_fields__)
    assert PROJECT_OPTIONS | set(USER_ONLY_OPTIONS) == fields
    assert not PROJECT_OPTIONS & set(USER_ONLY_OPTIONS)


def test_a_deeply_nested_or_huge_config_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "strangler.toml").write_text("services = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError, match=r"strangler.toml nests 100000 levels deep, over the limit of 64"):
        load_project_options(tmp_path)
    (tmp_path / "strangler.toml").write_text("# " + "x" * 2_000_000 + "\n")
    with pytest.raises(ConfigError, match=r"strangler.toml is 2,000,003 bytes, over the 1,000,000-byte limit"):
        load_project_options(tmp_path)
