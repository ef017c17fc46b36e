"""synthcheck.hashes: PDQ robustness, the multi-index against brute force, list parsing, grouping, `synthcheck hash`."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from synthcheck.hashes.compute import DIHEDRAL, PDQ_THRESHOLD, bits_to_hex, hamming, image_hashes, reduced
from synthcheck.hashes.index import MultiIndex, hex_rows, popcount_rows
from synthcheck.hashes.lists import Catalog, ListError, load_catalog


def scene(seed: int, width: int = 640, height: int = 480) -> np.ndarray:
    """A picture with objects: a smooth background, random rectangles and discs, mild noise (uint8 RGB)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.zeros((height, width, 3), np.float32)
    for c in range(3):
        fx, fy = rng.uniform(0.5, 3, 2) / max(width, height)
        img[..., c] = 110 + 60 * np.sin(6.28 * (xx * fx + yy * fy) + rng.uniform(0, 6.28))
    for _ in range(14):
        color = rng.uniform(0, 255, 3)
        x0, y0 = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(0.04, 0.22) * width
        if rng.random() < 0.5:
            img[(xx - x0) ** 2 + (yy - y0) ** 2 < r * r] = color
        else:
            img[(abs(xx - x0) < r) & (abs(yy - y0) < r * rng.uniform(0.3, 1.5))] = color
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _resize(rgb: np.ndarray, factor: float) -> np.ndarray:
    im = Image.fromarray(rgb)
    return np.asarray(im.resize((round(im.width * factor), round(im.height * factor)), Image.Resampling.LANCZOS))


def _crop(rgb: np.ndarray, frac: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    dy, dx = round(h * frac / 2), round(w * frac / 2)
    return rgb[dy:h - dy, dx:w - dx]


# -- hashing --------------------------------------------------------------------------------------------
def test_hex_is_the_reference_bit_order():
    bits = np.zeros(256, np.uint8)
    bits[0] = 1  # most significant bit first, as ThreatExchange writes it
    bits[255] = 1
    assert bits_to_hex(bits) == "8" + "0" * 62 + "1"
    assert bits_to_hex(bits) == "%064x" % int("".join(map(str, bits)), 2)


def test_reduction_keeps_the_long_side_between_512_and_1023():
    for shape in ((300, 400), (512, 700), (1024, 1024), (3000, 4000), (866, 1155)):
        out = reduced(np.zeros((*shape, 3), np.uint8))
        assert max(out.shape[:2]) == max(shape) or 512 <= max(out.shape[:2]) <= 1023


@pytest.mark.parametrize("name,transform", [
    *[(f"jpeg-q{q}", lambda a, q=q: _jpeg(a, q)) for q in (50, 70, 95)],
    *[(f"resize-{f}x", lambda a, f=f: _resize(a, f)) for f in (0.5, 0.75, 1.5, 2.0)],
    ("crop-2%-each-side-total", lambda a: _crop(a, 0.02)),  # 5 % crops are measured in docs/targets.md
    ("resize-0.5x-then-jpeg-q50", lambda a: _jpeg(_resize(a, 0.5), 50)),
])
def test_pdq_survives_re_encoding_resizing_and_cropping(name, transform):
    for seed in range(3):
        original = scene(seed)
        h0 = image_hashes(original)
        h1 = image_hashes(transform(original))
        assert h0.quality >= 50
        assert hamming(h0.pdq, h1.pdq) <= PDQ_THRESHOLD, name


def test_mirror_is_caught_by_a_dihedral_variant_only():
    original = scene(7)
    mirrored = np.ascontiguousarray(original[:, ::-1])
    h0 = image_hashes(original, dihedral=True)
    hm = image_hashes(mirrored)
    assert len(h0.dihedral) == len(DIHEDRAL) == 8 and h0.dihedral[0] == h0.pdq
    assert hamming(h0.pdq, hm.pdq) > PDQ_THRESHOLD  # plain PDQ does not see through a mirror
    assert min(hamming(v, hm.pdq) for v in h0.dihedral) <= PDQ_THRESHOLD


def test_distinct_scenes_are_far_apart():
    hashes = [image_hashes(scene(s)).pdq for s in range(12)]
    dists = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]]
    assert min(dists) > PDQ_THRESHOLD


def test_flat_picture_has_low_quality():
    assert image_hashes(np.full((200, 200, 3), 128, np.uint8)).quality < 50


# -- multi-index ----------------------------------------------------------------------------------------
def _flip(row: np.ndarray, n_bits: int, rng) -> np.ndarray:
    out = row.copy()
    for b in rng.choice(256, n_bits, replace=False):
        out[b // 8] ^= 1 << (b % 8)
    return out


def test_multi_index_finds_exactly_what_brute_force_finds():
    rng = np.random.default_rng(1)
    hashes = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    index = MultiIndex.build(hashes, PDQ_THRESHOLD)
    picks = rng.integers(0, len(hashes), 200)
    queries = np.stack([_flip(hashes[j], int(k), rng) for j, k in zip(picks, rng.integers(25, 38, 200))])
    qi, ci, di = index.search_batched(queries, batch=64)
    for n, q in enumerate(queries):
        brute = popcount_rows(hashes ^ q)
        want = set(np.flatnonzero(brute <= PDQ_THRESHOLD).tolist())
        assert set(ci[qi == n].tolist()) == want
        assert all(d == brute[c] for c, d in zip(ci[qi == n], di[qi == n]))
    assert 0 < len(ci) < len(queries)  # some at 25-31 bits found, those at 32-37 not


def test_multi_index_saves_and_maps(tmp_path):
    hashes = np.random.default_rng(2).integers(0, 256, (300, 32), dtype=np.uint8)
    MultiIndex.build(hashes, PDQ_THRESHOLD).save(tmp_path, "x")
    loaded = MultiIndex.load(tmp_path, "x", PDQ_THRESHOLD)
    qi, ci, di = loaded.search(hashes[17])
    assert ci.tolist() == [17] and di.tolist() == [0]


# -- lists ----------------------------------------------------------------------------------------------
H1, H2, H3 = "a" * 64, "0f" * 32, "1234567890abcdef" * 4
SHA = "ab" * 32


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_plain_csv_tsv_and_directives(tmp_path):
    csv_path = _write(tmp_path, "fakes.csv", f"# kind: synthetic\n# label: debunked\n# source: desk\n\n{H1},viral one\n"
                                             f"{H2}\n")
    tsv_path = _write(tmp_path, "mine.tsv", f"sha256\tlabel\n{SHA}\tmy photo\n")
    cat = load_catalog([csv_path, f"allow={tsv_path}"])
    a, b = cat.lists
    assert (a.kind, a.label, a.source, a.format, a.n_pdq) == ("synthetic", "debunked", "desk", "csv", 2)
    assert (b.kind, b.n_sha256, b.n_pdq) == ("allow", 1, 0)
    qi, ci, di = cat.index.search(hex_rows([H1]))
    info = cat.describe(int(cat.a["pdq_item"][ci[0]]))
    assert (info["label"], info["line"], info["list_kind"]) == ("viral one", 5, "synthetic")
    assert cat.describe(cat.sha256_items(SHA)[0])["label"] == "my photo"


def test_threatexchange_export_and_vpdq(tmp_path):
    te = _write(tmp_path, "pdq.te", f"{H1},0000000000000001,2020-07-31T18:47:52+0000,tag1 tag2\n"
                                    f"{H2},42,2020-07-31T18:47:52+0000,\n")
    vp = _write(tmp_path, "clip.vpdq", f"0,100,{H1},0.000\n1,20,{H2},1.000\n2,90,{H3},2.000\n")
    cat = load_catalog([te, vp])
    assert [x.format for x in cat.lists] == ["threatexchange", "vpdq"]
    assert cat.lists[0].n_items == 2 and cat.lists[1].n_items == 1
    assert cat.lists[1].n_pdq == 2  # the quality-20 frame is left out, as vPDQ's matcher does
    labels = {cat.describe(int(i))["label"] for i in cat.a["pdq_item"]}
    assert "tag1 tag2 (ThreatExchange 0000000000000001)" in labels and "clip" in labels


@pytest.mark.parametrize("text,line,needle", [
    (f"{H1},ok\nzz,bad\n", 2, "is not a PDQ hash"),
    (f"{H1[:-1]},short\n", 1, "is not a PDQ hash"),
    (f"# kind: fake\n{H1}\n", 1, "kind must be one of"),
    (f"{H1},1,2020-01-01T00:00:00+0000,t\n{H1},1,2020-01-01\n", 2, "4 fields"),
    (f"{H1},x1,2020-01-01T00:00:00+0000,t\n", 1, "indicator id"),
    (f"0,100,{H1},0.0\n1,high,{H1},1.0\n", 2, "quality must be an integer"),
    (f"sha256,label\n{H1}\n{'g' * 64}\n", 3, "is not a SHA-256"),
])
def test_a_malformed_line_is_named_with_its_number(tmp_path, text, line, needle):
    p = _write(tmp_path, "bad.csv", text)
    with pytest.raises(ListError) as err:
        load_catalog([p])
    msg = str(err.value)
    assert f"{p} line {line}:" in msg and needle in msg and "\n" not in msg


def test_empty_and_binary_lists_are_refused(tmp_path):
    with pytest.raises(ListError, match="holds no hashes"):
        load_catalog([_write(tmp_path, "empty.csv", "# kind: synthetic\n\n")])
    p = tmp_path / "bin.csv"
    p.write_bytes(f"{H1}\n".encode() + b"\xff\xfe\x00\n")
    with pytest.raises(ListError, match="line 2: not UTF-8"):
        load_catalog([str(p)])


def test_hash_command_output_is_a_list_in_every_format(tmp_path):
    from synthcheck.hash_command import run_hash_command

    for s in range(2):
        Image.fromarray(scene(s, 320, 240)).save(tmp_path / f"s{s}.png")
    (tmp_path / "notes.txt").write_text("not a picture")
    outs = {}
    for fmt in ("jsonl", "json", "csv"):
        buf = io.StringIO()
        code = run_hash_command([str(tmp_path)], fmt, 1, out=buf)
        assert code == 2  # notes.txt could not be hashed; the pictures still were
        outs[fmt] = _write(tmp_path, f"hashes.{fmt}.list", buf.getvalue())
    recs = [json.loads(line) for line in open(outs["jsonl"])]
    good = [r for r in recs if "pdq" in r]
    assert len(good) == 2 and all(len(r["pdq"]) == 64 and len(r["phash"]) == 16 and r["pdq_quality"] >= 50
                                  for r in good)
    assert any(r.get("error", {}).get("code") == "unsupported_format" for r in recs)
    for fmt, path in outs.items():
        cat = load_catalog([f"synthetic={path}"])
        assert cat.lists[0].n_pdq == 2 and cat.lists[0].n_sha256 == 2, fmt
        assert cat.lists[0].format.startswith("synthcheck-hash"), fmt
        digest = good[0]["sha256"]
        assert cat.describe(cat.sha256_items(digest)[0])["label"].endswith("s0.png")


def test_catalog_round_trips_through_the_worker_cache(tmp_path):
    p = _write(tmp_path, "l.csv", f"{H1},one\n{H3},three\n")
    cat = load_catalog([f"synthetic={p}"])
    cache = tmp_path / "cache"
    cache.mkdir()
    cat.save(cache)
    back = Catalog.load(cache)
    qi, ci, di = back.index.search(hex_rows([H3]))
    assert back.describe(int(back.a["pdq_item"][ci[0]]))["label"] == "three"
    assert back.lists == cat.lists


# -- settings -------------------------------------------------------------------------------------------
def test_match_list_option_checks_files_and_resolves_config_paths(tmp_path):
    from synthcheck.settings import SettingsError, resolve

    lst = _write(tmp_path, "l.csv", f"{H1}\n")
    with pytest.raises(SettingsError, match="--match-list: no such file"):
        resolve({"match_list": ["synthetic=" + str(tmp_path / "missing.csv")]})
    cfg = tmp_path / "c.toml"
    cfg.write_text('[known]\nmatch_lists = ["synthetic=l.csv", "l.csv"]\n')
    s = resolve({}, cfg)
    assert s.match_list == (f"synthetic={lst}", lst)
    assert s.detector_options()["known.match_lists"] == [f"synthetic={lst}", lst]


# -- grouping -------------------------------------------------------------------------------------------
def test_near_duplicates_are_grouped_with_the_first_file():
    from synthcheck.hashes.groups import DuplicateGrouper
    from synthcheck.model import FileResult, Finding, Kind, Label, Strength, Verdict

    def result(path, sha, pdq, w=640):
        f = Finding("known", "1", Kind.MATCH, Strength.INFO, "hashes", evidence={"pdq": pdq, "pdq_quality": 90})
        return FileResult(path, sha, 10, "image", "jpeg", (f,), (), Verdict(Label.NO_EVIDENCE, None, "none", "-"),
                          1.0, width=w, height=480)

    base = image_hashes(scene(3)).pdq
    smaller = image_hashes(_jpeg(_resize(scene(3), 0.5), 60)).pdq
    other = image_hashes(scene(4)).pdq
    g = DuplicateGrouper()
    assert g.check(result("a.png", "1" * 64, base)) is None
    assert g.check(result("b.png", "2" * 64, other)) is None
    near = g.check(result("a-small.jpg", "3" * 64, smaller, w=320))
    assert near is not None and near.evidence["duplicate_of"] == "a.png"
    assert near.evidence["relation"] == "near-duplicate"
    assert "320x480" in near.explanation and "640x480" in near.explanation
    copy = g.check(result("copy.jpg", "3" * 64, smaller))
    assert copy.evidence["relation"] == "identical" and copy.evidence["group"] == "a.png"
