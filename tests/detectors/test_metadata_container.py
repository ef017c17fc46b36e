"""Video container and GIF tags (moved from the temporal detector: they are provenance), through
both readers where ExifTool is installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from synthcheck.fusion import fuse
from synthcheck.media import Media
from synthcheck.model import Claim, Label, Strength

from .metadata_fixtures import _img, reader, scan

__all__ = ["reader"]  # a fixture, imported for pytest


# -- video container tags (moved here from the temporal detector: they are provenance) ------------------
def tagged_mp4(path: Path, **tags: str) -> Path:
    import av

    with av.open(str(path), "w", options={"movflags": "use_metadata_tags"}) as out:
        out.metadata.update(tags)
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height = 64, 48
        for i in range(3):
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(_img(i)), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_container_tag_naming_a_generator_is_a_strong_ai_claim(tmp_path, reader):
    findings = scan(tagged_mp4(tmp_path / "t.mp4", comment="Generated with AnimateDiff"), reader)
    ai = [f for f in findings if f.claim in (Claim.AI_GENERATED, Claim.AI_EDITED)]
    assert len(ai) == 1, [f.title for f in findings]  # ExifTool reads the same tag: named once
    assert (ai[0].strength, ai[0].claim, ai[0].evidence["product"]) == (Strength.STRONG, Claim.AI_GENERATED,
                                                                        "AnimateDiff")
    assert ai[0].evidence["tag"] == "container.comment" and "AnimateDiff" in ai[0].explanation
    assert any(f.title == "No camera tags" for f in findings)
    assert fuse(findings, [], fatal=False).label is Label.LIKELY


def test_container_camera_tags_are_capture_context_reported_once(tmp_path, reader):
    tags = {"com.apple.quicktime.make": "Apple", "com.apple.quicktime.model": "iPhone 15"}
    findings = scan(tagged_mp4(tmp_path / "cam.mov", **tags), reader)
    cams = [f for f in findings if f.claim is Claim.CAPTURE]
    assert len(cams) == 1, [f.title for f in findings]  # ExifTool's Keys:Make or the container tag, not both
    assert cams[0].strength is Strength.INFO and "never proof" in cams[0].explanation
    assert "iPhone 15" in cams[0].explanation
    assert not [f for f in findings if f.title == "No camera tags"]


def test_container_tool_names_are_word_bounded():
    from detectors.metadata.container import match_ai_tool

    assert match_ai_tool("LumaFusion 3.1") is None
    assert match_ai_tool("Lavf60.16.100") is None
    assert match_ai_tool("Runway Gen-3 Alpha export").name == "Runway"
    assert match_ai_tool('{"3": {"class_type": "KSampler", "inputs": {}}}').name == "ComfyUI"
    for ordinary in ("Sora", "runway show, Paris", "Pika", "Veo Cam 2", "minimax search demo", "Kuaishou"):
        assert match_ai_tool(ordinary) is None, ordinary


def test_animated_gif_comment_naming_a_generator(tmp_path, reader):
    frames = [_img(i) for i in range(4)]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:], duration=80,
                   comment=b"Generated with AnimateDiff")
    media = Media.open(tmp_path / "a.gif")
    assert media.kind == "video"
    ai = [f for f in scan(tmp_path / "a.gif", reader) if f.claim is Claim.AI_GENERATED]
    assert len(ai) == 1 and ai[0].evidence["product"] == "AnimateDiff"
