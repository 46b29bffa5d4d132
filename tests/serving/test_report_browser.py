"""The report in a real browser: the page a small demo's daily run wrote, opened as a file in
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) with the network cut.
Every section of the report renders with its charts drawn, nothing is written to the
console as an error, no script fails, and no request leaves the file. Screenshots (the
whole page, its first screen, each section) are saved for people to look at.

Chromium comes from the distribution: `make test` installs it when it is missing (the
Makefile's `browser` target). It is never `playwright install`ed: a browser build that
downloads itself cannot be fetched on a machine without internet access."""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import PROJECT_DIR

from orchestration.serving.report import SECTIONS

CHROMIUM = Path("/usr/bin/chromium")
# The flags that keep Chromium quiet on a closed network: without the background-networking
# ones it keeps trying to reach Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
SECTION_IDS = [key for key, _, _ in SECTIONS]
# The charts: vl-convert's outer <svg> elements (an svg inside another is part of its chart).
CHARTS = "svg:not(svg svg)"


def output_dir() -> Path:
    """Where the screenshots go: $LEADSCORE_TEST_OUTPUT/browser, by default test-output/browser
    at the root of the repository (gitignored), kept after the run."""
    root = Path(os.environ.get("LEADSCORE_TEST_OUTPUT") or PROJECT_DIR / "test-output")
    return root / "browser"


@dataclass
class Visit:
    """A page opened in the browser, with what it did: console errors, uncaught script
    errors, and every request for anything but the file itself or a data: URI (aborted)."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def report(demo_home) -> Path:
    """The report page the daily run of the small demo (conftest) wrote by the serving copy."""
    page = demo_home / "serving" / "report.html"
    assert page.exists(), f"the demo wrote no report at {page}"
    return page


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium. Missing, it fails the tests (CI must run them), saying how
    to install it."""
    how = (
        "run `make browser` (or `make test`, which installs it), or as root: apt-get update && "
        "apt-get install -y --no-install-recommends chromium"
    )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"the report's browser test needs headless Chromium at {CHROMIUM}: {how}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `make install` installs the dev extras", pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as exc:  # Playwright's own error says what Chromium printed
            pytest.fail(f"{CHROMIUM} did not start headless: {exc}\n{how}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser):
    """open(path) -> Visit: the file opened offline in a fresh browser context, loaded."""
    contexts = []

    def open_page(path: Path) -> Visit:
        context = browser.new_context(offline=True, viewport=VIEWPORT, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)

        def route(r):
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                seen.requests.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
        page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
        page.goto(path.resolve().as_uri(), wait_until="load")
        return seen

    yield open_page
    for context in contexts:
        context.close()


def problems(seen: Visit) -> list[str]:
    """Everything wrong with a loaded report page; empty when it renders as it should."""
    out = []
    for key in SECTION_IDS:
        section = seen.page.locator(f"section[id='{key}']")
        if section.count() != 1:
            out.append(f"section {key}: {section.count()} on the page")
            continue
        box = section.bounding_box()
        if not section.is_visible() or not box or box["height"] <= 0:
            out.append(f"section {key}: not visible ({box})")
            continue
        for i, chart in enumerate(section.locator(CHARTS).all()):
            size = chart.bounding_box()
            if not size or size["width"] <= 0 or size["height"] <= 0:
                out.append(f"section {key}: chart {i + 1} has no size ({size})")
    out += [f"console error: {text}" for text in seen.console_errors]
    out += [f"page error: {text}" for text in seen.page_errors]
    out += [f"request left the file: {url}" for url in seen.requests]
    return out


def test_report_renders_offline_in_chromium(report, visit, capsys):
    seen = visit(report)
    page = seen.page
    assert problems(seen) == []

    # the page as drawn holds what the file holds: every chart, and a page head
    drawn = page.locator(CHARTS).count()
    assert drawn == report.read_text().count("<svg"), "charts in the file that the page does not show"
    assert drawn >= 5, f"only {drawn} charts on a demo's report"
    assert page.locator("#run-date").is_visible() and page.locator("#data-range").is_visible()
    # the charts are drawn pictures, not empty boxes: a chart holds many marks
    first = page.locator(f"section[id='distribution'] {CHARTS}").first
    assert first.locator("path, rect, line, text").count() > 10

    out = output_dir()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    page.screenshot(path=out / "report-full.png", full_page=True)
    page.screenshot(path=out / "report-top.png")
    for key in SECTION_IDS:
        page.locator(f"section[id='{key}']").screenshot(path=out / f"section-{key}.png")
    shots = sorted(p.name for p in out.glob("*.png"))
    assert len(shots) == 2 + len(SECTION_IDS), shots
    assert all((out / name).stat().st_size > 1000 for name in shots)
    with capsys.disabled():
        print(f"\nreport screenshots: {out} ({len(shots)} PNG files)")


def test_every_table_downloads_as_csv_in_the_browser(report, visit, tmp_path):
    """Clicking "Download CSV" under a table saves, from the page itself, a file named as the
    link says, holding the table: its header and one row per row shown."""
    page = visit(report).page
    names = [link.get_attribute("download") for link in page.locator("a.csv").all()]
    assert len(set(names)) == len(names) == page.locator("table").count() > 0, names
    # A page of its own per download: Chromium holds back a tab's eleventh download (its
    # limit on a page that downloads many files), whatever the file.
    for name in names:
        seen = visit(report)
        link = seen.page.locator(f"a.csv[download='{name}']")
        table = link.locator("xpath=../preceding-sibling::table[1]")
        header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
        with seen.page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == name
        saved = tmp_path / name
        download.save_as(saved)
        with saved.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if "csv-columns-differ" in (table.get_attribute("class") or ""):
            # shown compactly (call now: the reasons in one cell), a column each in the CSV
            assert len(rows[0]) > len(header) and rows[0][:2] == header[:2], name
        else:
            assert rows[0] == header, name
        assert len(rows) == 1 + table.locator("tbody tr").count(), name
        assert seen.console_errors == seen.page_errors == seen.requests == [], name


# The check itself fails on a broken page: copies of the report, each broken in one way.
BROKEN = {
    "image from the network": (
        '<img src="http://example.com/x.png" alt="">',
        "request left the file: http://example.com/x.png",
    ),
    "script error": ("<script>null.boom()</script>", "page error: "),
    "console error": ('<script>console.error("drawn wrong")</script>', "console error: drawn wrong"),
    "hidden section": (
        f"<style>section[id='{SECTION_IDS[-1]}']{{display:none}}</style>",
        f"section {SECTION_IDS[-1]}: not visible",
    ),
    "chart of no size": ("<style>svg{width:0!important}</style>", "chart 1 has no size"),
}


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
def test_the_check_catches_a_broken_page(broken, report, visit, tmp_path):
    injected, expected = BROKEN[broken]
    copy = tmp_path / "report.html"
    shutil.copy(report, copy)
    text = copy.read_text()
    copy.write_text(text.replace("</body>", injected + "</body>", 1))
    found = problems(visit(copy))
    assert any(expected in p for p in found), found
