"""The HTML report in a real browser (headless Chromium over a DevTools pipe, no network).

Skips, saying why, where Chromium is missing (``make test`` installs Debian's ``chromium`` when run
as root).  Asserts on the rendered page: one section per file, every image decoded, no console
error, no request but the page itself and its data URIs, and nothing from a hostile file runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from synthcheck.cli import main

from ..conftest import natural_image
from .cdp import Browser, find_chromium
from .corpus import EVIL_NAME, EVIL_TEXT, make_corpus, render

pytestmark = pytest.mark.slow

CHECK = """(() => {
  const imgs = Array.from(document.images);
  return {
    sections: document.querySelectorAll('section.file').length,
    rows: document.querySelectorAll('table.files tbody tr').length,
    images: imgs.length,
    undecoded: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    boxes: document.querySelectorAll('.stage svg rect').length,
    timelines: document.querySelectorAll('svg.timeline rect').length,
    pwned: window.__pwned === undefined ? null : window.__pwned,
    handlers: Array.from(document.querySelectorAll('*')).filter(
      e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
    scripts: document.scripts.length,
    js: document.documentElement.classList.contains('js'),
  };
})()"""


@pytest.fixture(scope="module")
def chromium():
    exe = find_chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (make test installs it as root: apt-get install chromium); "
                    "the HTML report's browser checks did not run")
    return exe


@pytest.fixture
def browser(chromium, tmp_path):
    b = Browser(chromium, tmp_path / "profile")
    yield b
    b.close()


def assert_clean(b: Browser, page: Path) -> None:
    assert b.console_errors() == []
    asked = [u for u in b.requests() if not u.startswith("data:")]
    assert asked == [page.as_uri()], asked  # nothing fetched but the page itself


def test_report_renders_in_chromium_without_network_or_errors(browser, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    page = tmp_path / "report.html"
    page.write_text(render(corpus), encoding="utf-8")
    browser.open(page.as_uri())
    got = browser.eval(CHECK)
    assert got["sections"] == got["rows"] == len(corpus)
    assert got["images"] >= 8 and got["undecoded"] == []  # previews, spectrum, video frames all decode
    assert got["boxes"] == 2 and got["timelines"] == 3
    assert got["pwned"] is None and got["handlers"] == 0 and got["scripts"] == 1
    assert got["js"]  # the report's own script ran (the CSP hash matches it)
    assert_clean(browser, page)
    browser.screenshot(tmp_path / "report.png", full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000

    # the verdict filter and sorting work without a server
    visible = "Array.from(document.querySelectorAll('section.file')).filter(s => !s.hidden).length"
    browser.eval("document.querySelector('input.vf[value=\"possibly-synthetic\"]').click()")
    assert browser.eval(visible) == len(corpus) - 2
    browser.eval("document.querySelector('table.files th:nth-child(3)').click()")
    order = browser.eval("Array.from(document.querySelectorAll('table.files tbody tr')).map(r => r.dataset.verdict)")
    assert order[0] == "error" and order[-1] == "ai-generated"
    assert browser.console_errors() == []


def test_hostile_file_scanned_for_real_runs_nothing_in_the_browser(browser, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", EVIL_TEXT + "\nSteps: 20, Sampler: Euler a, Seed: 1, Model: x")
    info.add_text("Description", EVIL_TEXT)
    Image.fromarray(natural_image(64, 64)).save(folder / EVIL_NAME, pnginfo=info)
    page = tmp_path / "scan.html"
    with pytest.raises(SystemExit):
        main(["scan", str(folder), "-o", str(page), "--detectors", "metadata", "--workers", "1", "--quiet",
              "--html-all"])
    browser.open(page.as_uri())
    got = browser.eval(CHECK)
    assert got["sections"] == 1 and got["undecoded"] == []
    assert got["pwned"] is None and got["handlers"] == 0 and got["scripts"] == 1
    text = browser.eval("document.body.innerText")
    assert "<script>window.__pwned=2</script>" in text  # shown as text, where a reader can see it
    assert re.search(r'"><img src=x onerror="window.__pwned=1">\.png', text)
    assert_clean(browser, page)
    browser.screenshot(tmp_path / "hostile.png")
