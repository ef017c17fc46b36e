"""The metadata detector's rules, through both readers (ExifTool when installed, and pure Python).

Every test builds its own file in tmp_path; the ``reader`` fixture runs each test once with the
built-in reader and once with ExifTool (skipped where ExifTool is not installed).
"""

from __future__ import annotations

import json
import struct
import subprocess

import numpy as np
import pytest
from PIL import Image

from detectors.metadata import MetadataDetector
from detectors.metadata import exiftool as et
from detectors.metadata import parameters as P
from samples.make_samples import A1111_PARAMETERS, COMFY_PROMPT, COMFY_WORKFLOW, camera_exif, xmp_packet
from synthcheck.detector import DetectorContext
from synthcheck.fusion import fuse
from synthcheck.media import Media
from synthcheck.model import Claim, Label, Strength

from .metadata_fixtures import HAVE_EXIFTOOL, _img, jpeg, only, png, reader, scan

__all__ = ["reader"]  # a fixture, imported for pytest


# -- generator records ------------------------------------------------------------------------------
def test_a1111_png_is_decisive_with_parsed_parameters(tmp_path, reader):
    f = only(scan(png(tmp_path / "a.png", {"parameters": A1111_PARAMETERS}), reader), "generation record")
    assert (f.strength, f.claim) == (Strength.DECISIVE, Claim.AI_GENERATED)
    assert f.evidence["field"].lower() == "png:parameters"
    params = f.evidence["parameters"]
    assert params["seed"] == "1234567890" and params["steps"] == "30" and params["sampler"] == "DPM++ 2M"
    assert params["model"] == "sd_xl_base_1.0" and params["negative_prompt"].startswith("blurry")
    assert params["prompt"].startswith("a lighthouse on a cliff")
    assert fuse([f], [], fatal=False).label is Label.AI_GENERATED


def test_a1111_in_jpeg_usercomment(tmp_path, reader):
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + A1111_PARAMETERS.encode("utf-16-be")
    f = only(scan(jpeg(tmp_path / "a.jpg", exif=exif), reader), "generation record")
    assert f.strength is Strength.DECISIVE and f.evidence["field"] == "ExifIFD:UserComment"
    assert f.evidence["parameters"]["seed"] == "1234567890"


def test_a1111_in_webp_usercomment(tmp_path, reader):
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + A1111_PARAMETERS.encode("utf-16-le")
    _img().save(tmp_path / "a.webp", "WEBP", exif=exif)
    f = only(scan(tmp_path / "a.webp", reader), "generation record")
    assert f.strength is Strength.DECISIVE and f.evidence["parameters"]["steps"] == "30"


def test_long_prompt_cut_in_explanation_kept_in_evidence(tmp_path, reader):
    prompt = "castle " * 400
    text = f"{prompt}\nSteps: 20, Sampler: Euler a, Seed: 5"
    f = only(scan(png(tmp_path / "a.png", {"parameters": text}), reader), "generation record")
    assert len(f.explanation) < 600
    assert f.evidence["parameters"]["prompt"] == prompt.strip()


def test_comfyui_prompt_and_workflow(tmp_path, reader):
    path = png(tmp_path / "c.png", {"prompt": json.dumps(COMFY_PROMPT), "workflow": json.dumps(COMFY_WORKFLOW)})
    f = only(scan(path, reader), "ComfyUI")
    assert (f.strength, f.claim) == (Strength.DECISIVE, Claim.AI_GENERATED)
    p = f.evidence["parameters"]
    assert (p["seed"], p["steps"], p["sampler"]) == (42, 20, "euler")
    assert p["model"] == "v1-5-pruned-emaonly.safetensors" and p["prompt"].startswith("a red fox")


def test_text_chunk_after_image_data(tmp_path, reader):
    import zlib

    raw = png(tmp_path / "src.png").read_bytes()
    body = b"parameters\x00" + A1111_PARAMETERS.encode("latin-1")
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    iend = raw.rindex(b"IEND") - 4
    (tmp_path / "late.png").write_bytes(raw[:iend] + chunk + raw[iend:])
    f = only(scan(tmp_path / "late.png", reader), "generation record")
    assert f.strength is Strength.DECISIVE


def test_comfyui_workflow_alone(tmp_path, reader):
    f = only(scan(png(tmp_path / "w.png", {"workflow": json.dumps(COMFY_WORKFLOW)}), reader), "ComfyUI")
    assert f.strength is Strength.DECISIVE and f.evidence["parameters"]["prompt"].startswith("a red fox")


def test_malformed_comfy_json_is_a_note_not_a_crash(tmp_path, reader):
    findings = scan(png(tmp_path / "m.png", {"prompt": '{"3": {"class_type": "KSampler", '}), reader)
    f = only(findings, "Unreadable generator field")
    assert f.strength is Strength.INFO and f.claim is None and "not valid JSON" in f.explanation


def test_invokeai_metadata(tmp_path, reader):
    meta = {"generation_mode": "txt2img", "positive_prompt": "a cat", "seed": 7, "steps": 30,
            "scheduler": "euler", "model": {"name": "sdxl-base", "base": "sdxl"}, "app_version": "4.2.0"}
    f = only(scan(png(tmp_path / "i.png", {"invokeai_metadata": json.dumps(meta)}), reader), "InvokeAI")
    assert f.strength is Strength.DECISIVE and f.evidence["parameters"]["model"] == "sdxl-base"


def test_novelai(tmp_path, reader):
    comment = {"prompt": "1girl, cherry blossoms", "steps": 28, "sampler": "k_euler_ancestral", "seed": 99,
               "scale": 5.0, "uc": "lowres"}
    path = png(tmp_path / "n.png", {"Software": "NovelAI", "Source": "NovelAI Diffusion V4.5 4BDE2A90",
                                    "Comment": json.dumps(comment), "Description": "1girl, cherry blossoms"})
    findings = scan(path, reader)
    f = only(findings, "NovelAI generation record")
    assert f.strength is Strength.DECISIVE and f.evidence["parameters"]["seed"] == 99
    assert not [x for x in findings if "named in metadata" in x.title]  # Software repeats the record


def test_fooocus_json_parameters(tmp_path, reader):
    data = {"prompt": "a boat", "negative_prompt": "", "steps": 30, "base_model": "juggernautXL_v8.safetensors",
            "sampler": "dpmpp_2m_sde_gpu", "seed": "12", "version": "Fooocus v2.5.5"}
    path = png(tmp_path / "f.png", {"parameters": json.dumps(data), "fooocus_scheme": "fooocus"})
    f = only(scan(path, reader), "Fooocus")
    assert f.strength is Strength.DECISIVE and f.evidence["parameters"]["model"] == "juggernautXL_v8.safetensors"


def test_draw_things_xmp(tmp_path, reader):
    record = json.dumps({"c": "a tiger", "seed": 3, "steps": 20, "sampler": "DPM++ 2M Karras", "model": "sd_xl.ckpt"})
    extra = ('   <xmp:CreatorTool xmlns:xmp="http://ns.adobe.com/xap/1.0/">Draw Things</xmp:CreatorTool>\n'
             '   <exif:UserComment xmlns:exif="http://ns.adobe.com/exif/1.0/"><rdf:Alt><rdf:li xml:lang="x-default">'
             f"{record}</rdf:li></rdf:Alt></exif:UserComment>\n")
    pkt = xmp_packet("trainedAlgorithmicMedia", extra).replace(b" Iptc4xmpExt:DigitalSourceType=", b" a:b=")
    pkt = pkt.replace(b'xmlns:Iptc4xmpExt=', b'xmlns:a="urn:x" xmlns:Iptc4xmpExt=')
    f = only(scan(jpeg(tmp_path / "d.jpg", xmp=pkt), reader), "Draw Things generation record")
    assert f.strength is Strength.DECISIVE and f.evidence["parameters"]["prompt"] == "a tiger"


# -- IPTC digital source type and AI fields -----------------------------------------------------------
@pytest.mark.parametrize("term, strength, claim", [
    ("trainedAlgorithmicMedia", Strength.DECISIVE, Claim.AI_GENERATED),
    ("compositeWithTrainedAlgorithmicMedia", Strength.STRONG, Claim.AI_EDITED),
    ("algorithmicMedia", Strength.MODERATE, Claim.ALGORITHMIC),
    ("digitalCapture", Strength.INFO, Claim.CAPTURE),
    ("someFutureTerm", Strength.INFO, None),
])
def test_digital_source_type(tmp_path, reader, term, strength, claim):
    f = only(scan(jpeg(tmp_path / "x.jpg", xmp=xmp_packet(term)), reader), "digital source type")
    assert (f.strength, f.claim) == (strength, claim)
    assert f.evidence["field"] == "XMP-iptcExt:DigitalSourceType"
    assert f.evidence["value"].endswith(term)


def test_digital_source_type_in_png_itxt(tmp_path, reader):
    path = png(tmp_path / "x.png", itxt={"XML:com.adobe.xmp": xmp_packet("trainedAlgorithmicMedia").decode()})
    assert only(scan(path, reader), "digital source type").strength is Strength.DECISIVE


def test_iptc_2025_ai_fields(tmp_path, reader):
    extra = ("   <Iptc4xmpExt:AISystemUsed>ImageGen X</Iptc4xmpExt:AISystemUsed>\n"
             "   <Iptc4xmpExt:AIPromptInformation>a harbour at night</Iptc4xmpExt:AIPromptInformation>\n")
    dst = b' Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/x"'
    pkt = xmp_packet("x", extra).replace(dst, b"")
    findings = scan(jpeg(tmp_path / "ai.jpg", xmp=pkt), reader)
    f = only(findings, "IPTC AI-system fields")
    assert (f.strength, f.claim) == (Strength.STRONG, Claim.AI_EDITED)
    assert "ImageGen X" in f.explanation
    assert fuse([f], [], fatal=False).label is Label.LIKELY


# -- software names --------------------------------------------------------------------------------
@pytest.mark.parametrize("software, claim", [
    ("Midjourney", Claim.AI_GENERATED), ("Adobe Firefly", Claim.AI_GENERATED),
    ("Adobe Photoshop 25.0 (Generative Fill)", Claim.AI_EDITED), ("DALL·E 3", Claim.AI_GENERATED),
    ("Made with Google AI", Claim.AI_GENERATED),
])
def test_ai_software_names(tmp_path, reader, software, claim):
    exif = Image.Exif()
    exif[0x0131] = software
    f = only(scan(jpeg(tmp_path / "s.jpg", exif=exif), reader), "named in metadata")
    assert (f.strength, f.claim) == (Strength.STRONG, claim) and f.evidence["field"] == "IFD0:Software"


@pytest.mark.parametrize("software", ["Adobe Photoshop 25.0 (Windows)", "GIMP 2.10.34", "Editor de imagen 2"])
def test_ordinary_editors_are_not_ai(tmp_path, reader, software):
    exif = Image.Exif()
    exif[0x0131] = software
    findings = scan(jpeg(tmp_path / "s.jpg", exif=exif), reader)
    assert not [f for f in findings if f.claim in (Claim.AI_GENERATED, Claim.AI_EDITED)]


# -- camera, stripped, hostile --------------------------------------------------------------------
def test_camera_exif_is_info_capture(tmp_path, reader):
    findings = scan(jpeg(tmp_path / "cam.jpg", exif=camera_exif()), reader)
    f = only(findings, "Camera metadata")
    assert (f.strength, f.claim) == (Strength.INFO, Claim.CAPTURE)
    assert "Canon EOS 5D Mark IV" in f.explanation and "never proof" in f.explanation
    assert fuse(findings, [], fatal=False).label is Label.NO_EVIDENCE


def test_camera_plus_ai_label_in_one_file_is_history_not_conflict(tmp_path, reader):
    from synthcheck.fusion import contradictions

    path = jpeg(tmp_path / "edit.jpg", exif=camera_exif(), xmp=xmp_packet("compositeWithTrainedAlgorithmicMedia"))
    findings = scan(path, reader)
    assert {f.claim for f in findings} >= {Claim.CAPTURE, Claim.AI_EDITED}
    assert contradictions(findings) == []


def test_stripped_file_reports_no_metadata(tmp_path, reader):
    findings = scan(jpeg(tmp_path / "plain.jpg"), reader)
    assert [(f.title, f.strength, f.claim) for f in findings] == [("No metadata", Strength.INFO, None)]
    assert "authentic" not in findings[0].explanation.lower()


@pytest.mark.parametrize("packet", [
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><unclosed></x:xmpmeta>',
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><!DOCTYPE a [<!ENTITY e "x">]></x:xmpmeta>',
    b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>" + bytes(range(256)) * 4,
])
def test_malformed_xmp_is_an_info_note(tmp_path, packet):
    # Only the built-in reader parses XMP itself; ExifTool copes with these on its own.
    findings = scan(jpeg(tmp_path / "bad.jpg", xmp=packet), "python")
    notes = [f for f in findings if f.title == "Unreadable XMP metadata"]
    assert notes and all(f.strength is Strength.INFO and f.claim is None for f in notes)


def test_malformed_xmp_through_exiftool_does_not_crash(tmp_path, reader):
    findings = scan(jpeg(tmp_path / "bad.jpg", xmp=b"<x:xmpmeta><rdf:RDF><<<" + b"\x00\xff" * 50), reader)
    assert all(f.claim is None for f in findings)


def test_huge_text_chunk_is_bounded(tmp_path, reader):
    from detectors.metadata.read import MAX_VALUE_CHARS

    big = "x" * (MAX_VALUE_CHARS + 10) + "\nSteps: 20, Sampler: Euler, Seed: 1"
    findings = scan(png(tmp_path / "big.png", {"parameters": big}), reader)
    f = only(findings, "Oversized metadata field")
    assert f.strength is Strength.INFO and f.evidence["chars"] == len(big)
    assert len(f.evidence["value"]) < 20_000
    assert not [x for x in findings if x.strength is Strength.DECISIVE]


def test_binary_junk_in_text_and_usercomment(tmp_path, reader):
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + bytes(range(256))
    exif[0x0131] = "\x00\x01junk"
    jpeg(tmp_path / "j.jpg", exif=exif)
    findings = scan(tmp_path / "j.jpg", reader)
    assert not [f for f in findings if f.strength is not Strength.INFO]


def test_iptc_iim_is_read_by_python_reader(tmp_path):
    # A minimal Photoshop APP13 segment carrying IPTC 2:65 OriginatingProgram = Midjourney.
    value = b"Midjourney"
    iim = b"\x1c\x02\x41" + struct.pack(">H", len(value)) + value
    res = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim + (b"\x00" if len(iim) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + res
    raw = jpeg(tmp_path / "src.jpg").read_bytes()
    seg = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    (tmp_path / "iptc.jpg").write_bytes(raw[:2] + seg + raw[2:])
    f = only(scan(tmp_path / "iptc.jpg", "python"), "named in metadata")
    assert f.evidence["field"] == "IPTC:OriginatingProgram" and f.claim is Claim.AI_GENERATED


# -- parsers and the ExifTool process -----------------------------------------------------------------
def test_a1111_parser_rejects_plain_text():
    assert P.parse_a1111("just a caption\nwith two lines") is None
    assert P.parse_a1111("Steps: twenty") is None


def test_forge_version_is_named():
    assert P.parse_a1111("x\nSteps: 4, Sampler: Euler, Seed: 1, Version: f2.0.1v1.10.1-previous-1")["generator"] \
        == "Stable Diffusion WebUI Forge"


@pytest.mark.skipif(not HAVE_EXIFTOOL, reason="exiftool is not installed")
def test_exiftool_process_survives_failures(tmp_path):
    path = jpeg(tmp_path / "ok.jpg", exif=camera_exif())
    proc = et.ExifToolProcess(timeout_s=10)
    try:
        assert proc.read(path)["IFD0:Make"] == "Canon"
        with pytest.raises(et.ExifToolError):
            proc.read(str(tmp_path / "bad\nname.jpg"))
        proc._proc.kill()  # a dead process is noticed and replaced
        proc._proc.wait()
        assert proc.read(path)["IFD0:Model"] == "Canon EOS 5D Mark IV"
        tiny = et.ExifToolProcess(timeout_s=10, max_output=100)
        with pytest.raises(et.ExifToolError, match="exceeded"):
            tiny.read(path)
        assert tiny._proc is None  # killed, so the protocol cannot fall out of step
    finally:
        proc.close()
    assert proc._proc is None


@pytest.mark.skipif(not HAVE_EXIFTOOL, reason="exiftool is not installed")
def test_exiftool_failure_falls_back_to_python(tmp_path, monkeypatch):
    def broken(self, path):
        raise et.ExifToolError("simulated")

    monkeypatch.setattr(et.ExifToolProcess, "read", broken)
    det = MetadataDetector(DetectorContext(options={"metadata.reader": "exiftool"}))
    findings = det.run(Media.open(png(tmp_path / "a.png", {"parameters": A1111_PARAMETERS})))
    assert any(f.strength is Strength.DECISIVE for f in findings)
    assert any("simulated" in f.explanation for f in findings)
    assert all(f.evidence["reader"] == "python" for f in findings)


def test_import_is_light():
    code = ("import sys, detectors.metadata as m; m.MetadataDetector.availability(); "
            "bad = [x for x in ('torch', 'cv2', 'c2pa', 'numpy') if x in sys.modules]; print(bad)")
    out = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_c2pa_manifest_fields_and_minor_warnings_are_left_out():
    from detectors.metadata.markers import evaluate
    from detectors.metadata.read import from_exiftool

    record = {"SourceFile": "x.jpg", "ExifTool:Warning": "[minor] Adjusted MakerNotes base by 4",
              "CBOR:ActionsDigitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
              "JSON:Make": "Canon", "CBOR:Claim_generator": "Adobe Firefly"}
    hits = evaluate(from_exiftool(record))
    assert hits == []  # the c2pa detector owns manifest content; the file is not "without metadata" either
    hits = evaluate(from_exiftool({"ExifTool:Warning": "IPTCDigest is not current. XMP may be out of sync"}))
    assert [h.title for h in hits] == ["Metadata warning", "No metadata"]


def test_video_without_exiftool_is_a_partial_read(tmp_path):
    import av

    path = tmp_path / "v.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height = 64, 48
        for i in range(3):
            frame = av.VideoFrame.from_ndarray(np.asarray(_img(i)), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    findings = scan(path, "python")
    assert sorted(f.title for f in findings) == ["Encoder and handler tags", "No camera tags",
                                                 "No metadata found (partial read)"]
    assert all(f.strength is Strength.INFO and f.claim is None for f in findings)
