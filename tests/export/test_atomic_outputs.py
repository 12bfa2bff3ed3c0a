"""Outputs are replaced as one set: `kill -9` at any point leaves either the previous complete
set or the new one (checked against manifest.json), never a truncated file or a mix, and a
symbolic link in the output folder is replaced, never followed."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "samples" / "shop"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def analyze(out: Path, *flags: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analyzer", "analyze", str(SHOP), "--out", str(out), *flags],
                            cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def complete_set(out: Path) -> dict:
    """The manifest, after checking that every file it names is there with its size and hash."""
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (out / entry["name"]).read_bytes()
        assert len(data) == entry["bytes"] and hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
    return manifest


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, dict, dict]:
    """The set of a first run (5 services) and the manifest the second run (default) writes."""
    base = tmp_path_factory.mktemp("runs")
    assert analyze(base / "old", "--services", "5").wait(300) == 0
    assert analyze(base / "new").wait(300) == 0
    old, new = complete_set(base / "old"), complete_set(base / "new")
    assert old != new
    return base / "old", old, new


@pytest.mark.e2e
def test_kill_9_at_random_points_leaves_the_old_or_the_new_complete_set(tmp_path, two_runs):
    old_dir, old, new = two_runs
    started = time.perf_counter()
    assert analyze(tmp_path / "timing").wait(300) == 0
    duration = time.perf_counter() - started
    for point in random.Random(11).sample(range(5, 100), 6):
        out = tmp_path / f"out-{point}"
        shutil.copytree(old_dir, out)
        process = analyze(out)
        time.sleep(duration * point / 100)
        process.send_signal(signal.SIGKILL)
        process.wait()
        found = complete_set(out)
        assert found in (old, new)
        assert sorted(p.name for p in out.iterdir()) == sorted(["manifest.json", *(e["name"] for e in found["files"])])


#: Kills the process at the N-th file write, rename, link or folder swap of the publishing step.
KILLER = textwrap.dedent("""
    import os, signal, sys
    from analyzer.export import atomic as publish
    target, count = int(sys.argv[1]), [0]
    def killing(real):
        def step(*args, **kwargs):
            count[0] += 1
            if count[0] == target:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return step
    publish._write_synced = killing(publish._write_synced)
    publish._exchange = killing(publish._exchange)
    publish.os.rename = killing(publish.os.rename)
    publish.os.link = killing(publish.os.link)
    from analyzer.cli import main
    sys.exit(main(sys.argv[2:]))
""")


@pytest.mark.e2e
def test_kill_9_at_every_step_of_publishing_leaves_a_complete_set(tmp_path, two_runs):
    old_dir, old, new = two_runs
    for step in range(1, 40):
        out = tmp_path / f"out-{step}"
        shutil.copytree(old_dir, out)
        (out / "notes.txt").write_text("the reviewer's own notes\n")
        done = subprocess.run([sys.executable, "-c", KILLER, str(step), "analyze", str(SHOP), "--out", str(out)],
                              cwd=REPO, env=ENV, capture_output=True, timeout=300)
        assert complete_set(out) in (old, new)
        assert (out / "notes.txt").read_text() == "the reviewer's own notes\n"
        if done.returncode == 0:
            assert complete_set(out) == new
            break
    else:
        pytest.fail("the run never finished: more publishing steps than expected")


def test_a_symlink_in_the_output_folder_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").symlink_to(victim)
    (out / "report.md").symlink_to(tmp_path / "missing.md")
    assert analyze(out, "--format", "json,md").wait(300) == 0
    assert victim.read_text() == "keep me\n"
    assert not (tmp_path / "missing.md").exists()
    assert not (out / "plan.json").is_symlink() and (out / "plan.json").read_text().startswith("{")


def test_an_output_folder_that_is_a_symlink_is_refused_in_one_sentence(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    done = subprocess.run([sys.executable, "-m", "analyzer", "analyze", str(SHOP), "--out", str(tmp_path / "link")],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"strangler: The output folder {tmp_path / 'link'} is a symbolic link; give the "
                                   "real folder (outputs are never written through links).")
    assert list(real.iterdir()) == []
