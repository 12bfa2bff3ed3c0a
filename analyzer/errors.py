"""Every exception Strangler raises on purpose. Messages say what to do next.

One error boundary (the CLI, the UI) turns these into one sentence and an exit code;
`--debug` re-raises them with a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # `check` found new coupling; a batch had failures
    USAGE = 2  # bad path, bad option, bad config


class StranglerError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = ExitCode.USAGE


class SourceNotFound(StranglerError):
    """The path to analyze does not exist or is not a directory."""


class NoPythonFiles(StranglerError):
    """The path holds no Python file to analyze."""


class ConfigError(StranglerError):
    """A configuration file or option is invalid."""


class OverridesError(StranglerError):
    """An overrides file (edited plan.xlsx, JSON or TOML) names unknown modules or services."""


class PlanError(StranglerError):
    """A plan.json could not be read or does not follow the contract."""


class ArchiveError(StranglerError):
    """An uploaded archive was refused (unsafe path, symlink, too big, too many files)."""


class UnknownService(StranglerError):
    """A service name (e.g. `explain --service NAME`) is not in the plan."""


class RuntimeInputError(StranglerError):
    """A runtime evidence file (--runtime) could not be read, or `strangler record` could not run."""
