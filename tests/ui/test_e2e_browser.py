"""End to end in a real browser: `streamlit run app.py`, headless Chromium through Playwright.

Loads the sample, waits for the service map, moves a module in the data editor, downloads
plan.xlsx and checks the move is in it. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage"]
SERVER_START_SECONDS = 90
FIRST_LOAD_TIMEOUT_MS = 180_000  # a cold server imports pandas/networkx and scans the sample first
PAGE_TIMEOUT_MS = 60_000
HEADER_PX, ROW_PX = 35, 35

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip("needs /usr/bin/chromium (apt-get install chromium); runs always under CI=true",
                allow_module_level=True)

if os.environ.get("CI") != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    log = ARTIFACTS / "streamlit-e2e.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + SERVER_START_SECONDS
            while True:
                if process.poll() is not None:
                    pytest.fail(f"streamlit exited with {process.returncode}: {log.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.read() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not answer within {SERVER_START_SECONDS} s")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture
def page(server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1200}, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(server)
            yield page
        finally:
            browser.close()


def wait_for_idle(page) -> None:
    """Wait until the script run the last action triggered has finished."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def test_move_a_module_in_the_browser_and_download_it(page, tmp_path):
    page.wait_for_selector('[data-testid="stGraphVizChart"] svg g.node', timeout=FIRST_LOAD_TIMEOUT_MS)
    expect(page.locator('[data-testid="stMetricValue"]').first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ui-overview.png"), full_page=True)

    page.get_by_role("tab", name="Services").click()
    expect(page.get_by_text("Modules and why they are here")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ui-services.png"), full_page=True)

    page.get_by_role("tab", name="Adjust").click()
    editor = page.locator('[class*="st-key-move_editor_"] [data-testid="stDataFrame"]')
    expect(editor).to_be_visible()
    module = page.locator('[class*="st-key-move_editor_"] [data-testid="glide-cell-0-0"]').inner_text().strip()
    home = page.locator('[class*="st-key-move_editor_"] [data-testid="glide-cell-1-0"]').inner_text().strip()
    box = editor.bounding_box()
    from analyzer.ui.views.adjust import MODULE_COLUMN_PX, SERVICE_COLUMN_PX

    page.mouse.dblclick(box["x"] + MODULE_COLUMN_PX + SERVICE_COLUMN_PX / 2, box["y"] + HEADER_PX + ROW_PX / 2)
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    names = [text.strip() for text in options.all_inner_texts()]
    target = next(n for n in names if n not in (home, "shared-kernel"))
    page.get_by_role("option", name=target, exact=True).click()
    expect(page.locator('[class*="st-key-move_editor_"] [data-testid="glide-cell-1-0"]')).to_have_text(target)
    apply = page.locator(".st-key-apply_moves button")
    expect(apply).to_have_count(1)
    apply.click()
    expect(page.get_by_text(f"Last change: Moved {module} to {target}").filter(visible=True)).to_be_visible()
    wait_for_idle(page)
    expect(page.get_by_role("tab", name="Adjust")).to_have_attribute("aria-selected", "true")
    first_row = (page.locator('[class*="st-key-move_editor_"] [data-testid="glide-cell-0-0"]').inner_text().strip(),
                 page.locator('[class*="st-key-move_editor_"] [data-testid="glide-cell-1-0"]').inner_text().strip())
    page.screenshot(path=str(ARTIFACTS / "ui-adjust-after-move.png"), full_page=True)

    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as download_info:
        page.locator(".st-key-dl_xlsx button").click()
    download = download_info.value
    assert download.suggested_filename == "plan.xlsx"
    saved = tmp_path / "plan.xlsx"
    download.save_as(saved)
    sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))["Modules"]
    header = [c.value for c in sheet[1]]
    services = {row[header.index("module")]: row[header.index("service")]
                for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert services[module] == target
    # The table shows the new plan, not the applied edit replayed onto re-sorted rows.
    assert services[first_row[0]] == first_row[1]
    page.screenshot(path=str(ARTIFACTS / "ui-export.png"), full_page=True)
