"""Co-change history: which analyzed files were committed together (a coupling signal).

Files that keep changing in the same commits are coupled in a way static analysis cannot
see (a shared contract, a duplicated rule). Only `git log` is read, through a subprocess
with a timeout and no shell; without git or history the signal is simply off, with a note.

The analyzed repository is untrusted, and its own .git/config can name programs for git to
run (gpg.program with log.showSignature, core.fsmonitor, diff.external, textconv and filter
drivers, core.pager, hooks). git is therefore run with the system and global configuration
switched off, every such key overridden on the command line (which wins over the
repository's file), external diff, textconv, signatures and the pager disabled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from itertools import combinations
from pathlib import Path

#: Commits touching more files than this are sweeping changes (formatting, renames, vendoring)
#: and say nothing about coupling; they are ignored.
MAX_FILES_PER_COMMIT = 50

#: Seconds allowed for each git command.
GIT_TIMEOUT = 60

#: Marks the start of each commit in the log output (a byte that never occurs in paths).
_COMMIT_MARK = "\x1e"

#: Configuration that would make git run a program, neutralised (command-line -c wins over the
#: repository's .git/config and anything it includes).
NEUTRAL_CONFIG = (
    "core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat", "core.sshCommand=false",
    "core.askPass=", "core.editor=false", "core.untrackedCache=false", "core.attributesFile=/dev/null",
    "log.showSignature=false", "gpg.program=false", "gpg.openpgp.program=false", "gpg.x509.program=false",
    "gpg.ssh.program=false", "diff.external=", "credential.helper=", "protocol.allow=never",
    "uploadpack.packObjectsHook=false", "core.alternateRefsCommand=false", "log.mailmap=false",
)
#: Options of `git log` that keep it from running diff drivers, signature checks or a pager.
_LOG_SAFETY = ("--no-ext-diff", "--no-textconv", "--no-show-signature")

CochangePairs = tuple[tuple[str, str, int], ...]


def read_cochange(root: Path, files: list[str], commits: int) -> tuple[CochangePairs, tuple[str, ...]]:
    """Pairs (path_a, path_b, commits together) of analyzed files, a < b, and notes.

    `files` are the analyzed paths relative to `root` (POSIX separators). Returns no pairs and
    a note "co-change signal off: <why>" when git or its history is not available.
    """
    if commits <= 0:
        return (), ("co-change signal off: cochange_commits is 0",)
    git = shutil.which("git")
    if git is None:
        return (), ("co-change signal off: git is not installed",)
    try:
        prefix = _run(git, root, ["rev-parse", "--show-prefix"]).strip()
        log = _run(git, root, ["-c", "core.quotepath=off", "log", *_LOG_SAFETY, "--no-merges", "--name-only",
                               "--no-renames", "--full-diff", f"--format=format:{_COMMIT_MARK}", "-n", str(commits),
                               "--", "."])
    except _GitFailed as failure:
        return (), (f"co-change signal off: {failure}",)
    analyzed = set(files)
    together: Counter[tuple[str, str]] = Counter()
    for changed in _commits(log, prefix):
        if len(changed) > MAX_FILES_PER_COMMIT:
            continue
        for pair in combinations(sorted(analyzed.intersection(changed)), 2):
            together[pair] += 1
    pairs = tuple((a, b, n) for (a, b), n in sorted(together.items()))
    return pairs, ()


class _GitFailed(Exception):
    """git could not answer; the message says why in a few words."""


def _environment() -> dict[str, str]:
    """The caller's environment without git's own variables, system and global config off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in ("PAGER", "EDITOR")}
    env.update({"LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0",
                "GIT_NO_REPLACE_OBJECTS": "1"})
    return env


def _run(git: str, root: Path, args: list[str]) -> str:
    neutral = [part for setting in NEUTRAL_CONFIG for part in ("-c", setting)]
    try:
        done = subprocess.run([git, "--no-pager", *neutral, *args], cwd=root, env=_environment(),
                              capture_output=True, timeout=GIT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise _GitFailed(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from exc
    except OSError as exc:
        raise _GitFailed(f"git could not run ({exc.strerror or exc})") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[0] if message else f"git exited with {done.returncode}"
        if "not a git repository" in reason:
            reason = "not a git repository"
        elif "does not have any commits" in reason:
            reason = "the repository has no commits yet"
        raise _GitFailed(reason.removeprefix("fatal: "))
    return done.stdout.decode("utf-8", "surrogateescape")


def _commits(log: str, prefix: str) -> list[set[str]]:
    """Changed paths per commit, made relative to the analysis root (paths outside it dropped)."""
    result = []
    for block in log.split(_COMMIT_MARK):
        paths = [line for line in block.splitlines() if line]
        if paths:
            result.append({p[len(prefix):] for p in paths if p.startswith(prefix)})
    return result
