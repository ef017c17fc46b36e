"""Cheap wins of issue 16 in the per-file pipeline: non-cheap detectors skipped (and said so) once
provenance is decisive unless --all-detectors, and JPEGs decoded at the size detectors declare."""

from __future__ import annotations

from PIL import Image

from synthcheck.detector import DetectorContext
from synthcheck.limits import Limits
from synthcheck.model import Label
from synthcheck.pipeline import scan_file

from .conftest import natural_image
from .scale_fakes import ProvenanceFake, ShapeFake


def _dets(side=None):
    shape = type("SizedShape", (ShapeFake,), {"decode_max_side": side}) if side else ShapeFake
    return [ProvenanceFake(DetectorContext()), shape(DetectorContext())]


def _jpeg(path, w=1024, h=768):
    Image.fromarray(natural_image(w, h)).save(path, quality=90)
    return str(path)


def test_expensive_detectors_are_skipped_when_provenance_is_decisive_and_the_record_says_so(tmp_path):
    r = scan_file(_jpeg(tmp_path / "ai.jpg", 64, 48), _dets(), Limits())
    assert r.verdict.label is Label.AI_GENERATED and r.detectors_run == ("provfake",)
    note = [f for f in r.findings if f.title == "Statistical detectors skipped"]
    assert len(note) == 1 and note[0].evidence["skipped"] == ["shapefake"] and "--all-detectors" in note[0].explanation
    assert note[0].detector == "pipeline"  # a reserved id of its own, not the extension-mismatch one


def test_all_detectors_and_contradicting_capture_claims_keep_every_detector(tmp_path):
    r = scan_file(_jpeg(tmp_path / "ai.jpg", 64, 48), _dets(), Limits(), all_detectors=True)
    assert r.detectors_run == ("provfake", "shapefake")
    assert not any(f.title == "Statistical detectors skipped" for f in r.findings)
    plain = scan_file(_jpeg(tmp_path / "cam.jpg", 64, 48), _dets(), Limits())  # nothing decisive: all run
    assert plain.detectors_run == ("provfake", "shapefake")


def _shape(r):
    (f,) = [f for f in r.findings if f.detector == "shapefake"]
    return f.evidence["w"], f.evidence["h"]


def test_jpegs_are_decoded_in_the_dct_at_the_size_every_pixel_detector_declared(tmp_path):
    path = _jpeg(tmp_path / "x.jpg")
    assert _shape(scan_file(path, _dets(), Limits())) == (1024, 768)  # nobody declared: full size
    assert _shape(scan_file(path, _dets(side=250), Limits())) == (256, 192)  # 1/4: longest side >= 250
    assert _shape(scan_file(path, _dets(side=600), Limits())) == (1024, 768)  # 1/2 would be 512 < 600
    r = scan_file(path, _dets(side=250), Limits())
    assert (r.width, r.height) == (1024, 768), "the record states the file's own size, not the decode's"
    png = tmp_path / "x.png"
    Image.fromarray(natural_image(320, 240)).save(png)
    assert _shape(scan_file(str(png), _dets(side=100), Limits())) == (320, 240), "only JPEG has DCT scaling"
