"""Issue 11, driven as an attacker would: the analyzed tree (a vendor's repository, an upload),
its settings and the files handed back to Strangler are untrusted. Each crafted input must run
nothing (a marker file never appears), change nothing outside the output folder, and get one
clear sentence back."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHOP = REPO / "samples" / "shop"


def strangler(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=cwd or REPO, env=environment,
                          capture_output=True, text=True, timeout=600)


def one_sentence(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def small_tree(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "orders.py").write_text("from app.billing import total\n\ndef place(x):\n    return total(x)\n")
    (root / "app" / "billing.py").write_text("def total(x):\n    return x\n")
    return root


class Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("command", ["scan", "analyze"])
def test_a_crafted_cache_shipped_in_the_project_never_runs(tmp_path: Path, command: str) -> None:
    root = small_tree(tmp_path / "vendor")
    marker = tmp_path / "pwned"
    for depth in ("", "0123456789abcdef/files/00/", "0123456789abcdef/trees/00/"):
        for name in ("x.pickle", "x.msgpack"):
            crafted = root / ".strangler-cache" / depth / name
            crafted.parent.mkdir(parents=True, exist_ok=True)
            crafted.write_bytes(pickle.dumps(Payload(marker)))
    extra = ["--out", str(tmp_path / "out")] if command == "analyze" else []
    for _ in range(2):
        done = strangler(command, str(root), *extra)
        assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_the_projects_own_config_cannot_point_the_cache_at_a_folder(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "vendor")
    victim = tmp_path / "victim"
    (victim / ("d" * 16)).mkdir(parents=True)
    (victim / ("d" * 16) / "db.sqlite").write_bytes(b"precious")
    (root / "pyproject.toml").write_text(f'[tool.strangler]\ncache_dir = "{victim}"\n')
    done = strangler("analyze", str(root), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert one_sentence(done.stderr) == (
        f"strangler: {root / 'pyproject.toml'} sets 'cache_dir', which the analyzed project may not set because it "
        "chooses a folder Strangler writes to and prunes; remove it there and pass it in your own --config file "
        "or as a flag.")
    assert (victim / ("d" * 16) / "db.sqlite").read_bytes() == b"precious"
    assert sorted(p.name for p in victim.iterdir()) == ["d" * 16]
    assert not (tmp_path / "out").exists()


def test_cache_dir_flag_on_a_folder_of_someone_elses_files_deletes_nothing(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "vendor")
    victim = tmp_path / "victim"
    (victim / ("d" * 16)).mkdir(parents=True)
    (victim / ("d" * 16) / "db.sqlite").write_bytes(b"precious")
    done = strangler("scan", str(root), "--cache-dir", str(victim))
    assert done.returncode == 0
    assert "cache off for this run" in done.stderr
    assert sorted(p.name for p in victim.rglob("*")) == sorted(["d" * 16, "db.sqlite"])
    cleared = strangler("cache", "clear", "--cache-dir", str(victim))
    assert cleared.returncode == 2
    assert one_sentence(cleared.stderr) == f"strangler: {victim} is not a Strangler cache folder; nothing was deleted."
    assert (victim / ("d" * 16) / "db.sqlite").read_bytes() == b"precious"


def test_cache_info_and_clear(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "vendor")
    folder = tmp_path / "cache"
    env = {"STRANGLER_CACHE_DIR": str(folder)}
    assert strangler("scan", str(root), env=env).returncode == 0
    info = strangler("cache", "info", env=env)
    assert info.returncode == 0
    assert f"cache folder: {folder}" in info.stdout and "files: 3 entries" in info.stdout
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    cleared = strangler("cache", "clear", env=env)
    assert cleared.returncode == 0 and "entries" in cleared.stdout
    assert not folder.exists()


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_reason(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "vendor")
    (root / os.fsdecode(b"app/bad\xff.py")).write_text("x = 1\n")
    done = strangler("analyze", str(root), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "1 skipped" in done.stdout
    assert "file name is not valid UTF-8" in (tmp_path / "out" / "plan.json").read_text()


def test_renamed_services_with_hostile_names_still_give_every_valid_output(tmp_path: Path) -> None:
    """Names from a `rename` (or an edited workbook) used to break services.dot and report.md."""
    config = tmp_path / "mine.toml"
    config.write_text('[rename]\norders = "orders\\\\"\npayments = "<b>pay</b>"\nmedia = "a:b"\n'
                      'reports = "x ``<img src=x onerror=alert(1)>``"\nshipping = "=HYPERLINK(\\"http://x\\")"\n'
                      f'product = "{"p" * 5000}"\n')
    out = tmp_path / "out"
    done = strangler("analyze", str(SHOP), "--out", str(out), "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} >= {"plan.json", "plan.xlsx", "report.md", "report.html", "services.dot",
                                               "template.yaml", "manifest.json"}
    dot = shutil.which("dot")
    if dot:
        plain = subprocess.run([dot, "-Tplain", str(out / "services.dot")], capture_output=True, text=True)
        assert plain.returncode == 0
        assert sum(line.startswith("node ") for line in plain.stdout.splitlines()) == 11
    report = (out / "report.md").read_text()
    assert "``` x ``<img src=x onerror=alert(1)>`` ```" in report


def xlsx_bomb(path: Path, unpacked: int) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"<c>" + b" " * (1 << 20) + b"</c>"
            for _ in range(unpacked // len(chunk) + 1):
                member.write(chunk)
    return path


@pytest.mark.parametrize("kind", ["bomb", "zeros"])
def test_an_overrides_workbook_that_is_a_bomb_or_junk_is_one_sentence(tmp_path: Path, kind: str) -> None:
    if kind == "bomb":
        workbook = xlsx_bomb(tmp_path / "plan.xlsx", 400_000_000)
        assert workbook.stat().st_size < 2_000_000
        expected = "unpacks to"
    else:
        workbook = tmp_path / "plan.xlsx"
        with open(workbook, "wb") as handle:
            handle.truncate(30_000_000)
        expected = "over the 20,000,000-byte limit"
    done = strangler("analyze", str(SHOP), "--out", str(tmp_path / "out"), "--overrides", str(workbook))
    assert done.returncode == 2
    assert expected in one_sentence(done.stderr)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_deeply_nested_overrides_and_plans_are_one_sentence(tmp_path: Path, suffix: str) -> None:
    nested = tmp_path / f"over{suffix}"
    nested.write_text(("x = " if suffix == ".toml" else "") + "[" * 100_000 + "]" * 100_000 + "\n")
    done = strangler("analyze", str(SHOP), "--out", str(tmp_path / "out"), "--overrides", str(nested))
    assert done.returncode == 2
    assert "nests 100000 levels deep, over the limit of 64" in one_sentence(done.stderr)
    plan = tmp_path / "plan.json"
    plan.write_text("[" * 100_000 + "]" * 100_000)
    checked = strangler("check", str(SHOP), "--plan", str(plan))
    assert checked.returncode == 2
    assert "nests 100000 levels deep" in one_sentence(checked.stderr)


def test_a_valid_cache_entry_of_the_wrong_type_is_ignored_on_every_run(tmp_path: Path) -> None:
    from analyzer.model import Skipped
    from analyzer.scan import codec

    root = small_tree(tmp_path / "vendor")
    folder = tmp_path / "cache"
    env = {"STRANGLER_CACHE_DIR": str(folder)}
    assert strangler("analyze", str(root), "--out", str(tmp_path / "first"), env=env).returncode == 0
    entries = list(folder.rglob("*.msgpack"))
    assert entries
    for entry in entries:
        entry.write_bytes(codec.dumps(Skipped("x.py", "not what this slot holds")))
    for run in ("second", "third"):
        done = strangler("analyze", str(root), "--out", str(tmp_path / run), env=env)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / run / "plan.json").read_bytes() == (tmp_path / "first" / "plan.json").read_bytes()
