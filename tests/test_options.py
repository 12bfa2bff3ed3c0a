"""Options: defaults are the schema, project config and --config files merge, bad keys are refused."""

from pathlib import Path

import pytest

from analyzer.errors import ConfigError
from analyzer.options import AnalysisOptions, load_project_options, options_from_mapping


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
