"""The known detector: list matches as findings, the known-content verdict, video seconds, the CLI path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from detectors.known import KnownDetector
from synthcheck.detector import DetectorContext
from synthcheck.fusion import fuse
from synthcheck.hash_command import hash_file
from synthcheck.media import Media
from synthcheck.model import Claim, Kind, Label, Strength
from tests.test_hashing import scene


def _detector(tmp_path: Path, *specs: str) -> KnownDetector:
    options = KnownDetector.prepare_run({"known.match_lists": list(specs)})
    det = KnownDetector(DetectorContext(options={"known.match_lists": list(specs), **options}))
    det.load()
    return det


def _list_of(tmp_path: Path, name: str, *pictures: Path, header: str = "") -> Path:
    p = tmp_path / name
    p.write_text(header + "".join(json.dumps(hash_file(str(x))) + "\n" for x in pictures))
    return p


def _save(tmp_path: Path, name: str, rgb: np.ndarray, **kw) -> Path:
    p = tmp_path / name
    Image.fromarray(rgb).save(p, **kw)
    return p


def test_a_resized_re_encoded_copy_of_a_listed_fake_is_ai_generated_by_known_content(tmp_path):
    original = _save(tmp_path, "fake.png", scene(1))
    listed = _list_of(tmp_path, "fakes.jsonl", original)
    small = Image.fromarray(scene(1)).resize((320, 240))
    repost = _save(tmp_path, "repost.jpg", np.asarray(small), quality=55)
    det = _detector(tmp_path, f"synthetic={listed}")
    findings = det.run(Media.open(repost))
    match = [f for f in findings if f.claim is Claim.AI_GENERATED]
    assert len(match) == 1
    m = match[0]
    assert (m.kind, m.strength, m.evidence["hash_kind"], m.evidence["list_kind"]) == (
        Kind.MATCH, Strength.STRONG, "pdq", "synthetic")
    assert m.evidence["distance"] <= m.evidence["threshold"] == 31 and m.evidence["label"].endswith("fake.png")
    assert m.evidence["list_sha256"] and "31" in m.explanation
    v = fuse(findings, (), fatal=False)
    assert (v.label, v.basis) == (Label.AI_GENERATED, "known-content")


def test_byte_identical_file_is_a_decisive_sha256_match(tmp_path):
    original = _save(tmp_path, "fake.png", scene(2))
    det = _detector(tmp_path, f"synthetic={_list_of(tmp_path, 'l.jsonl', original)}")
    findings = det.run(Media.open(original))
    exact = [f for f in findings if f.evidence.get("hash_kind") == "sha256"]
    assert len(exact) == 1 and exact[0].strength is Strength.DECISIVE
    assert not [f for f in findings if f.evidence.get("hash_kind") == "pdq"]  # the exact match is not repeated


def test_mirrored_copy_matches_through_a_dihedral_variant(tmp_path):
    original = _save(tmp_path, "fake.png", scene(3))
    mirrored = _save(tmp_path, "mirror.png", np.ascontiguousarray(scene(3)[:, ::-1]))
    det = _detector(tmp_path, f"synthetic={_list_of(tmp_path, 'l.jsonl', original)}")
    m = [f for f in det.run(Media.open(mirrored)) if f.claim is Claim.AI_GENERATED]
    assert m and m[0].evidence["transform"] == "flip-horizontal" and "flip horizontal" in m[0].explanation


def test_allow_list_match_is_context_and_other_pictures_do_not_match(tmp_path):
    mine = _save(tmp_path, "mine.png", scene(4))
    det = _detector(tmp_path, f"allow={_list_of(tmp_path, 'ok.jsonl', mine)}")
    copy = _save(tmp_path, "copy.jpg", scene(4), quality=80)
    findings = det.run(Media.open(copy))
    allowed = [f for f in findings if f.evidence.get("list_kind") == "allow"]
    assert allowed and allowed[0].claim is None and allowed[0].title == "Matches an item on an allow-list"
    assert fuse(findings, (), fatal=False).label is Label.NO_EVIDENCE
    unrelated = det.run(Media.open(_save(tmp_path, "other.png", scene(5))))
    assert [f.title for f in unrelated] == ["Perceptual hashes"]
    assert "no match" in unrelated[0].explanation


def test_flat_pictures_are_not_matched(tmp_path):
    flat = _save(tmp_path, "flat.png", np.full((300, 300, 3), 90, np.uint8))
    listed = tmp_path / "l.csv"
    listed.write_text(hash_file(str(flat))["pdq"] + ",flat\n")
    findings = _detector(tmp_path, f"synthetic={listed}").run(Media.open(flat))
    assert [f.title for f in findings] == ["Perceptual hashes"]
    assert "too little detail" in findings[0].explanation


def test_without_lists_only_the_hashes_are_reported(tmp_path):
    det = KnownDetector(DetectorContext())
    det.load()
    findings = det.run(Media.open(_save(tmp_path, "a.png", scene(6))))
    assert len(findings) == 1 and findings[0].strength is Strength.INFO
    assert len(findings[0].evidence["pdq"]) == 64 and "no hash list given" in findings[0].explanation


def _scene_video(path: Path, seeds: list[int], fps: int = 5, size: tuple[int, int] = (160, 120)) -> Path:
    """One distinct still scene per second."""
    import av

    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt = size[0], size[1], "yuv420p"
        st.options = {"preset": "ultrafast"}
        for s in seeds:
            frame = np.asarray(Image.fromarray(scene(s)).resize(size))
            for _ in range(fps):
                for p in st.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), "rgb24")):
                    out.mux(p)
        for p in st.encode():
            out.mux(p)
    return path


def test_video_matches_by_the_fraction_of_matching_seconds(tmp_path):
    known = _scene_video(tmp_path / "known.mp4", [10, 11, 12, 13, 14, 15])
    det = _detector(tmp_path, f"synthetic={_list_of(tmp_path, 'v.jsonl', known)}")
    whole = _scene_video(tmp_path / "reencoded.mp4", [10, 11, 12, 13, 14, 15], size=(128, 96))
    full = [f for f in det.run(Media.open(whole)) if f.claim is Claim.AI_GENERATED]
    assert len(full) == 1 and full[0].strength is Strength.STRONG
    assert full[0].evidence["fraction"] >= 0.8 and full[0].time is not None
    part = _scene_video(tmp_path / "part.mp4", [30, 31, 32, 33, 12, 13])
    partial = [f for f in det.run(Media.open(part)) if f.claim is Claim.AI_GENERATED]
    assert len(partial) == 1 and partial[0].strength is Strength.MODERATE
    assert 0 < partial[0].evidence["fraction"] < 0.5
    ranges = partial[0].evidence["time_ranges"]
    assert ranges and ranges[0][0] >= 3.5  # the matching seconds are the last two
    assert fuse(det.run(Media.open(part)), (), fatal=False).label is not Label.AI_GENERATED


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synthcheck.cli", *args], capture_output=True, text=True, timeout=240)


def test_cli_bad_list_line_stops_before_scanning_with_exit_2(tmp_path):
    pic = _save(tmp_path, "a.png", scene(8))
    bad = tmp_path / "bad.csv"
    bad.write_text("a" * 64 + ",fine\nnot-a-hash,broken\n")
    r = _cli("scan", "--match-list", f"synthetic={bad}", "-f", "jsonl", str(pic))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().count("\n") == 0 and f"{bad} line 2" in r.stderr


@pytest.mark.slow
def test_cli_scan_reports_matches_and_near_duplicates(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    fake = _save(src, "a-fake.png", scene(9))
    listed = _list_of(tmp_path, "fakes.jsonl", fake)
    Image.fromarray(scene(9)).resize((480, 360)).save(src / "b-smaller.jpg", quality=70)
    _save(src, "c-other.png", scene(20))
    r = _cli("scan", "--match-list", f"synthetic={listed}", "-d", "known", "-f", "jsonl", "--workers", "1", str(src))
    assert r.returncode == 1, r.stderr
    recs = {Path(x["path"]).name: x for x in map(json.loads, r.stdout.splitlines()) if "path" in x}
    assert recs["a-fake.png"]["verdict"]["basis"] == "known-content"
    assert recs["b-smaller.jpg"]["verdict"]["label"] == "ai-generated"
    assert recs["c-other.png"]["verdict"]["label"] == "no-evidence"
    dup = [f for f in recs["b-smaller.jpg"]["findings"] if f["title"] == "Near-duplicate in this scan"]
    assert dup and dup[0]["evidence"]["duplicate_of"].endswith("a-fake.png")
    assert not [f for f in recs["c-other.png"]["findings"] if f["title"] == "Near-duplicate in this scan"]


def test_the_example_list_in_samples_matches_the_samples_it_names():
    samples = Path(__file__).resolve().parents[2] / "samples"
    cat_path = samples / "known-synthetic.csv"
    from synthcheck.hashes.lists import load_catalog

    cat = load_catalog([str(cat_path)])
    assert cat.lists[0].kind == "synthetic" and cat.lists[0].n_pdq == 3
    for line in cat_path.read_text().splitlines():
        if line and not line.startswith("#") and not line.startswith("pdq,"):
            pdq, name = line.split(",")
            assert hash_file(str(samples / name))["pdq"] == pdq, f"regenerate samples/known-synthetic.csv ({name})"


def test_the_run_record_names_each_hash_list_by_sha256(tmp_path):
    import hashlib

    from synthcheck.api import prepare
    from synthcheck.settings import resolve

    listed = _list_of(tmp_path, "fakes.jsonl", _save(tmp_path, "a.png", scene(3)))
    run = prepare(resolve({"detectors": ["known"], "match_list": [f"synthetic={listed}"], "workers": 1})).run
    [entry] = run.options["known.lists"]
    assert entry["sha256"] == hashlib.sha256(listed.read_bytes()).hexdigest()
    assert entry["kind"] == "synthetic" and entry["items"] == 1 and entry["path"].endswith("fakes.jsonl")
    assert "known.cache" not in run.options  # a temporary folder is not part of what decides a result
