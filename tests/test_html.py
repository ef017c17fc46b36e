"""The HTML report: self-contained, escaped, grouped like the text report, small enough for big batches."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image

from synthcheck.cli import main
from synthcheck.formatters import groups
from synthcheck.formatters.html import images
from synthcheck.formatters.html.assets import SCRIPT
from synthcheck.model import FileResult, Finding, Kind, Label, Strength, Verdict

from .browser.corpus import EVIL_NAME, EVIL_TEXT, make_corpus, render, result, run_info
from .conftest import natural_image


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def sections(page: str) -> dict[str, str]:
    """Each file's section by its heading text."""
    out = {}
    for chunk in page.split('<section class="file"')[1:]:
        name = re.search(r"<h2><a [^>]*>(.*?)</a>", chunk).group(1)
        out[name] = chunk.split("</section>")[0]
    return out


def test_page_is_self_contained_and_allows_only_its_own_script(tmp_path):
    page = render(make_corpus(tmp_path))
    tags = Tags(page)
    for tag, attrs in tags.tags:
        for name in ("src", "href", "action", "data", "poster"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("data:image/", "#")), (tag, name, value[:80])
    assert not re.search(r"url\(|@import|@font-face", page)  # no CSS fetches either
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?:""", page, re.I)
    csp = [a["content"] for a in tags.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    policy = dict(p.strip().split(" ", 1) for p in csp[0].split(";"))
    assert policy["default-src"] == "'none'" and policy["img-src"] == "data:"
    assert policy["style-src"] == "'unsafe-inline'"
    # scripts: only the report's own, allowed by its hash (not 'unsafe-inline', which would let an
    # injected script run if a string ever escaped escaping)
    assert tags.scripts == [SCRIPT]
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert policy["script-src"] == f"'sha256-{digest}'"


def test_strings_from_files_are_escaped(tmp_path):
    page = render(make_corpus(tmp_path))
    tags = Tags(page)
    assert "<script>window" not in page and "<img src=x" not in page
    assert len(tags.all("script")) == 1
    assert not [a for _, a in tags.tags if any(k.startswith("on") for k in a)]  # no event handler anywhere
    assert all(a["src"].startswith("data:image/") for a in tags.all("img"))
    assert html_escaped(EVIL_TEXT) in page  # shown, as text
    assert html_escaped(EVIL_NAME.rsplit("/", 1)[-1]) in page


def html_escaped(s: str) -> str:
    import html

    return html.escape(s, quote=True)


def test_findings_are_grouped_like_the_text_report(tmp_path):
    corpus = make_corpus(tmp_path)
    secs = sections(render(corpus))
    assert len(secs) == len(corpus)
    hand = secs[html_escaped(str(tmp_path / "hand.png"))]
    heads = re.findall(r"<h3>(.*?)</h3>", hand)
    expected = [groups.PROVENANCE_HEADING] + [s.heading for s in groups.group(corpus[0].findings).sections]
    assert [h for h in heads if h in expected] == [html_escaped(h) for h in expected]
    assert expected.index("Statistical signals") < expected.index("Content (semantic) checks")
    clip = secs[html_escaped(str(tmp_path / "clip.mp4"))]
    assert "Over time (video): timeline" in clip
    # the timeline is in time order and holds the three segments as bars
    svg = re.search(r'<svg class="timeline".*?</svg>', clip).group(0)
    assert len(re.findall(r"<rect ", svg)) == 3
    assert re.findall(r"<title>(\d\d:\d\d\.\d)", svg) == ["00:00.0", "00:01.0", "00:02.0"]
    assert "#ef6c00" in svg  # the 0.75 segment is coloured as a lead


def test_regions_are_drawn_over_the_preview_in_source_pixels(tmp_path):
    secs = sections(render(make_corpus(tmp_path)))
    hand = secs[html_escaped(str(tmp_path / "hand.png"))]
    svg = re.search(r'<div class="stage">.*?</div>', hand).group(0)
    assert 'viewBox="0 0 320 240"' in svg  # the image's own pixels, whatever size the preview is
    assert '<rect x="40" y="30" width="80" height="60"' in svg
    assert '<span class="box">1</span> region x=40 y=30 80×60 px' in hand


def test_detail_pictures_only_at_or_above_possibly_unless_html_all(tmp_path):
    corpus = make_corpus(tmp_path)
    by_name = {Path(r.path).name: r for r in corpus}

    def widths(page: str, name: str) -> list[int]:
        sec = sections(page)[html_escaped(str(tmp_path / name))]
        return [int(w) for w in re.findall(r'<img [^>]*width="(\d+)"', sec)]

    page = render(corpus)
    assert widths(page, "hand.png") == [images.DETAIL_SIDE, 192]  # preview and the frequency spectrum
    assert widths(page, "plain.png") == [64]  # below possibly: the small preview (here the image itself)
    assert "evidence</summary>" not in sections(page)[html_escaped(str(tmp_path / "plain.png"))]
    assert len(widths(page, "clip.mp4")) == 1 + 3  # first frame, and a key frame per segment
    assert widths(page, "broken.png") == []  # a file a worker could not decode is never decoded here
    assert "no preview" in sections(page)[html_escaped(str(tmp_path / "broken.png"))]
    big = tmp_path / "big.png"
    Image.fromarray(natural_image(600, 400, 9)).save(big)
    quiet = result(big, Label.NO_EVIDENCE, by_name["plain.png"].findings, width=600, height=400)
    assert widths(render([quiet]), "big.png") == [images.THUMB_SIDE]
    assert widths(render([quiet], html_all=True), "big.png") == [images.DETAIL_SIDE]
    assert "evidence</summary>" in render([quiet], html_all=True)


def test_c2pa_chain_and_custody_are_tables(tmp_path):
    secs = sections(render(make_corpus(tmp_path)))
    signed = secs[html_escaped(str(tmp_path / "signed.jpg"))]
    assert "<h3>C2PA manifest</h3>" in signed and "<h3>C2PA ingredient chain</h3>" in signed
    chain = signed.split("<h3>C2PA ingredient chain</h3>")[1]
    assert len(re.findall(r"<tr><td>", chain)) == 2 and "assertion.hashedURI.mismatch" in chain
    assert "issuer: Adobe Inc." in signed
    assert "a" * 64 in signed and "1234 bytes" in signed and "c2pa 1" in signed


def test_summary_counts_and_links(tmp_path):
    corpus = make_corpus(tmp_path)
    page = render(corpus)
    summary = page.split('<table class="files">')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-verdict="([a-z-]+)"><td data-v="(\d+)">\d+</td><td><a href="#(f\d+)"', summary)
    assert [(v, int(n)) for v, n, _ in rows] == [(r.verdict.label.value, i + 1) for i, r in enumerate(corpus)]
    ids = re.findall(r'<section class="file" id="(f\d+)"', page)
    assert [a for _, _, a in rows] == ids
    counts = dict(re.findall(r'value="([a-z-]+)" checked[^>]*></label></td><td>.*?</td><td>(\d+)</td>', page))
    assert counts["possibly-synthetic"] == "2" and counts["error"] == "1" and counts["inconclusive"] == "0"
    assert "learned-v2.safetensors" in page.split("<footer>")[1]  # the run record closes the page


def test_scan_to_html_from_output_name_escapes_a_hostile_file_and_leaves_inputs_alone(tmp_path, capsys):
    from PIL import PngImagePlugin

    folder = tmp_path / "in"
    folder.mkdir()
    evil = folder / EVIL_NAME
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", EVIL_TEXT + "\nSteps: 20, Sampler: Euler a, Seed: 1, Model: x")
    Image.fromarray(natural_image(64, 64)).save(evil, pnginfo=info)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = tmp_path / "report.html"
    try:
        main(["scan", str(folder), "-o", str(out), "--detectors", "metadata", "--workers", "1", "--quiet",
              "--exit-zero"])
    except SystemExit as exc:
        assert exc.code == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing written beside the evidence
    assert "<script>window" not in page and "<img src=x" not in page and "onerror=\"" not in page
    assert html_escaped("<script>window.__pwned=2</script>") in page
    assert len(Tags(page).all("script")) == 1
    assert not capsys.readouterr().out  # the report went to the file only


def typical_result(i: int) -> FileResult:
    """A result shaped like a real scan's (six detectors); one file in ten is flagged (possibly or above).

    At three in ten flagged the projection is 52 MB: the budget assumes most of a batch is not flagged."""
    label = [Label.NO_EVIDENCE] * 8 + [Label.INCONCLUSIVE, [Label.POSSIBLY, Label.LIKELY, Label.AI_GENERATED][i % 3]]
    findings = (
        Finding("c2pa", "1.1.0", Kind.PROVENANCE, Strength.INFO, "The file carries no C2PA manifest, so its "
                "provenance is unknown. Most files have none; this says nothing about how it was made.",
                title="No C2PA manifest", evidence={"source": "c2pa", "manifest": None}),
        Finding("metadata", "1.1.0", Kind.PROVENANCE, Strength.INFO, "EXIF names a Canon EOS 5D Mark IV camera; "
                "camera metadata is context, never proof.", title="Camera metadata",
                evidence={"make": "Canon", "model": "Canon EOS 5D Mark IV", "source": "metadata"}),
        Finding("watermark", "1.0.0", Kind.PROVENANCE, Strength.INFO, "No known watermark found (this does not "
                "show the image is unwatermarked or authentic).", title="no known watermark",
                evidence={"method": "dwtDct", "all_messages": [{"message": "bits:flux1", "p_value": 0.3}] * 6}),
        Finding("frequency", "1.0.0", Kind.SIGNAL, Strength.WEAK, "Weak upsampling periodicity in the noise "
                "residual's spectrum (this does not show the image is authentic).", score=0.41,
                title="Upsampling traces (frequency)", evidence={"factors": {"2": 0.1, "4": 0.2}, "statistic": 1.2}),
        Finding("learned", "2.0.0", Kind.SIGNAL, Strength.INFO, "The learned detector's score is low.", score=0.12,
                title="Learned pixel detector", evidence={"raw": -2.1, "patches": 16}),
        Finding("anatomy", "1.0.0", Kind.SEMANTIC, Strength.INFO, "no hands or people detected; anatomy not checked",
                title="anatomy not checked"))
    return FileResult(path=f"/evidence/case-2291/camera-roll/folder{i // 500:03d}/IMG_{i:06d}.JPG",
                      sha256=hashlib.sha256(str(i).encode()).hexdigest(), size=3_456_789, media="image",
                      format="jpeg", findings=findings, errors=(),
                      verdict=Verdict(label[i % 10], 0.41, "signals", "Weak statistical evidence only; a lead."),
                      elapsed_ms=900.0, width=4032, height=3024,
                      detectors_run=("c2pa", "metadata", "watermark", "frequency", "learned", "anatomy"))


def test_ten_thousand_files_project_under_50_mb(tmp_path, capsys):
    """10,000 results rendered (no file on disk, so no previews), plus a worst-case preview per file."""
    from synthcheck.formatters.html_fmt import PICTURE_BUDGET, Formatter

    out = io.StringIO()
    fmt = Formatter(out, run_info(), {})
    fmt.start()
    results = [typical_result(i) for i in range(10_000)]
    t = time.perf_counter()
    for r in results:
        fmt.add(r)
    fmt.finish(run_info())
    seconds = time.perf_counter() - t
    markup = len(out.getvalue().encode())
    # pictures: a real photograph's previews (samples/, scikit-learn's china.jpg), and noise at the
    # preview's own resolution, which no photo exceeds; the picture budget caps the total either way
    import numpy as np

    photo = Path(__file__).resolve().parents[1] / "samples" / "camera_exif_photo.jpg"
    noise = tmp_path / "noise.png"
    cells = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    Image.fromarray(np.kron(cells, np.ones((8, 8, 1), np.uint8))).save(noise)
    flagged = sum(r.verdict.label.rank >= Label.POSSIBLY.rank for r in results)
    report = []
    for name, path in (("photo", photo), ("noise", noise)):
        small = images.image_preview(path, images.THUMB_SIDE, images.THUMB_QUALITY, 10**9).nbytes
        detail = images.image_preview(path, images.DETAIL_SIDE, images.DETAIL_QUALITY, 10**9).nbytes
        pictures = (10_000 - flagged) * small + flagged * detail
        projected = markup + min(pictures, PICTURE_BUDGET + detail)  # the budget stops pictures once spent
        report.append(f"{name}: previews {small} B / {detail} B, {pictures / 1e6:.1f} MB uncapped, "
                      f"page {projected / 1e6:.1f} MB")
        assert projected < 50_000_000, name
    with capsys.disabled():
        print(f"\n[html] 10,000 files ({flagged} flagged): markup {markup / 1e6:.1f} MB ({markup / 10_000:.0f} "
              f"B/file), rendered in {seconds:.2f} s; " + "; ".join(report))
    assert fmt.render_s > 0
