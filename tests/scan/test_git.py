import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.scan.git import MAX_FILES_PER_COMMIT, read_cochange

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                   check=True, capture_output=True)


def commit(root: Path, files: dict[str, str], message: str = "change") -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    return tmp_path


def test_files_committed_together_are_paired_with_their_count(repo: Path):
    commit(repo, {"shop/orders.py": "a = 1\n", "shop/billing.py": "b = 1\n", "README.md": "x\n"})
    commit(repo, {"shop/orders.py": "a = 2\n", "shop/billing.py": "b = 2\n"})
    commit(repo, {"shop/orders.py": "a = 3\n", "shop/users.py": "u = 3\n"})
    files = ["shop/billing.py", "shop/orders.py", "shop/users.py"]
    pairs, notes = read_cochange(repo, files, commits=100)
    assert notes == ()
    assert pairs == (("shop/billing.py", "shop/orders.py", 2), ("shop/orders.py", "shop/users.py", 1))


def test_paths_are_relative_to_an_analysis_root_below_the_repository(repo: Path):
    commit(repo, {"src/shop/orders.py": "a = 1\n", "src/shop/billing.py": "b = 1\n", "docs/x.py": "x = 1\n"})
    pairs, _ = read_cochange(repo / "src", ["shop/billing.py", "shop/orders.py"], commits=10)
    assert pairs == (("shop/billing.py", "shop/orders.py", 1),)


def test_only_the_last_n_commits_are_read(repo: Path):
    commit(repo, {"a.py": "1\n", "b.py": "1\n"})
    commit(repo, {"a.py": "2\n", "c.py": "2\n"})
    pairs, _ = read_cochange(repo, ["a.py", "b.py", "c.py"], commits=1)
    assert pairs == (("a.py", "c.py", 1),)


def test_sweeping_commits_say_nothing_about_coupling(repo: Path):
    commit(repo, {f"m{i}.py": "x = 1\n" for i in range(MAX_FILES_PER_COMMIT + 1)}, "reformat everything")
    pairs, notes = read_cochange(repo, [f"m{i}.py" for i in range(MAX_FILES_PER_COMMIT + 1)], commits=10)
    assert pairs == () and notes == ()


def test_merge_commits_are_skipped(repo: Path):
    commit(repo, {"a.py": "1\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"b.py": "1\n"})
    git(repo, "checkout", "-q", "-")
    commit(repo, {"c.py": "1\n"})
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "feature")
    pairs, notes = read_cochange(repo, ["a.py", "b.py", "c.py"], commits=10)
    assert pairs == () and notes == ()


def test_a_folder_outside_git_turns_the_signal_off_with_a_note(tmp_path: Path):
    pairs, notes = read_cochange(tmp_path, ["a.py"], commits=10)
    assert pairs == ()
    assert notes == ("co-change signal off: not a git repository",)


def test_a_repository_without_commits_turns_the_signal_off(repo: Path):
    pairs, notes = read_cochange(repo, ["a.py"], commits=10)
    assert pairs == ()
    assert notes == ("co-change signal off: the repository has no commits yet",)


def test_no_git_on_the_path_turns_the_signal_off(repo: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(repo))
    assert read_cochange(repo, ["a.py"], commits=10) == ((), ("co-change signal off: git is not installed",))


def test_zero_commits_asked_turns_the_signal_off(repo: Path):
    assert read_cochange(repo, ["a.py"], commits=0) == ((), ("co-change signal off: cochange_commits is 0",))


# --------------------------------------------------------------------------- the repository is untrusted

#: `.git/config` settings an attacker ships, each naming ./evil (which creates a marker file).
HOSTILE_CONFIG = {
    "gpg-signature": "[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {evil}\n",
    "fsmonitor": "[core]\n\tfsmonitor = {evil}\n",
    "external-diff": "[diff]\n\texternal = {evil}\n",
    "textconv": "[diff \"evil\"]\n\ttextconv = {evil}\n",
    "filter": "[filter \"evil\"]\n\tclean = {evil}\n\tsmudge = {evil}\n\tprocess = {evil}\n",
    "pager": "[core]\n\tpager = {evil}\n[pager]\n\tlog = {evil}\n",
    "hooks": "[core]\n\thooksPath = {hooks}\n",
    "include": "[include]\n\tpath = {included}\n",
}


def sign_head(repo: Path) -> None:
    """Replace HEAD by the same commit carrying a (fake) PGP signature: `log.showSignature`
    makes git hand signed commits to gpg.program."""
    raw = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=repo, check=True, capture_output=True,
                         text=True).stdout
    headers, _, message = raw.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"
    signed = f"{headers}\n{signature}\n\n{message}"
    sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo, input=signed,
                         check=True, capture_output=True, text=True).stdout.strip()
    git(repo, "update-ref", "HEAD", sha)


@pytest.mark.parametrize("vector", sorted(HOSTILE_CONFIG))
def test_programs_named_in_the_repositorys_config_never_run(tmp_path: Path, vector: str):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, {"shop/orders.py": "a = 1\n", "shop/billing.py": "b = 1\n"})
    commit(repo, {"shop/orders.py": "a = 2\n", "shop/billing.py": "b = 2\n", ".gitattributes": "*.py diff=evil filter=evil\n"})
    sign_head(repo)
    marker = tmp_path / "ran"
    evil = repo / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    evil.chmod(0o755)
    hooks = repo / "hooks"
    hooks.mkdir()
    for hook in ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc",
                 "post-rewrite", "fsmonitor-watchman"):
        (hooks / hook).write_text(evil.read_text())
        (hooks / hook).chmod(0o755)
    included = repo / "included.cfg"
    included.write_text(HOSTILE_CONFIG["gpg-signature"].format(evil=evil) + HOSTILE_CONFIG["fsmonitor"].format(evil=evil))
    with open(repo / ".git" / "config", "a") as config:
        config.write(HOSTILE_CONFIG[vector].format(evil=evil, hooks=hooks, included=included))
    pairs, notes = read_cochange(repo, ["shop/billing.py", "shop/orders.py"], commits=10)
    assert not marker.exists()
    assert notes == ()
    assert pairs == (("shop/billing.py", "shop/orders.py", 2),)


def test_a_strangler_scan_of_a_hostile_repository_runs_nothing(tmp_path: Path):
    """The reported case end to end: `strangler scan` on a repository whose config asks for signatures."""
    import os
    import sys

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, {"shop/__init__.py": "", "shop/orders.py": "a = 1\n", "shop/billing.py": "b = 1\n"})
    sign_head(repo)
    marker = tmp_path / "ran"
    (repo / "evil").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (repo / "evil").chmod(0o755)
    with open(repo / ".git" / "config", "a") as config:
        config.write("[log]\n\tshowSignature = true\n[gpg]\n\tprogram = ./evil\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "analyzer", "scan", str(repo)], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(root)}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
