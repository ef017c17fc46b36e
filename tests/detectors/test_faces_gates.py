"""Faces that are not judged: too small, profile, palette-quantised, covered, under a hand."""

from __future__ import annotations

import importlib.util

import cv2
import numpy as np
import pytest

from detectors.faces import FacesDetector, features, geometry
from synthcheck.detector import DetectorContext
from synthcheck.model import Strength
from synthcheck.video import Frame

from .faces_fixtures import (
    SHARED_FACE,
    SNORKEL,
    FakeVideo,
    detector,
    hand_over,
    masked,
    mesh_at,
    pasted,
    photo,
    quantised,
)


def test_small_and_profile_faces_are_not_judged():
    img = photo()
    assert features.measure_face(img, mesh_at(size=50)).not_judged == "too small"
    assert features.measure_face(img, mesh_at(yaw=75)).not_judged == "profile view"
    assert features.measure_face(img, mesh_at()).not_judged == ""


def test_a_face_in_a_dithered_palette_picture_is_not_judged_and_a_gray_photo_is():
    img, m = photo(), mesh_at()
    gif = quantised(img)
    assert features.palette_size(gif, geometry.hull_box(m, 400, 400)) <= 64
    assert features.measure_face(gif, m).not_judged == features.PALETTE
    assert features.measure_face(quantised(img, 256), m).not_judged == features.PALETTE
    gray = np.repeat(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)  # 256 levels or fewer
    assert features.palette_size(gray, geometry.hull_box(m, 400, 400)) is None
    assert features.measure_face(gray, m).not_judged == ""
    assert features.measure_face(img, m).not_judged == ""


def test_a_masked_lower_face_is_not_judged_and_bare_or_darker_skin_is():
    img, m = photo(), mesh_at()
    bare = features.measure_face(img, m)
    assert bare.not_judged == "" and bare.cover < 5
    cover = features.measure_face(masked(img, m), m)
    assert cover.not_judged == features.COVERED and cover.cover > features.MAX_COVER
    assert cover.boundary is None  # nothing scored
    shadow = masked(img, m, colour=(95, 78, 68))  # stubble or a shadow: darker, same warm chroma
    assert features.measure_face(shadow, m).not_judged == ""


def test_hand_share_is_the_part_of_the_outline_a_hand_covers():
    m = mesh_at()
    assert features.hand_share(m, []) == 0.0
    assert 0.3 < features.hand_share(m, [hand_over(m, 0.5)]) < 0.7
    assert features.hand_share(m, [hand_over(m, 0.5) + [400, 0, 0]]) == 0.0  # beside the face


def test_detector_reports_no_face_and_small_faces_as_info_without_score():
    (f,) = detector([]).image_findings(photo())
    assert f.strength is Strength.INFO and f.score is None and "no face" in f.explanation
    (f,) = detector([mesh_at(size=50)]).image_findings(photo())
    assert f.strength is Strength.INFO and f.score is None and "too small to judge" in f.explanation
    assert f.region is not None


def test_detector_says_why_a_face_in_a_gif_is_not_judged():
    m = mesh_at()
    blurred = pasted(photo(), m, lambda x: cv2.GaussianBlur(x, (0, 0), 2.0))  # flagged as a photo (next test)
    (f,) = detector([m]).image_findings(quantised(blurred))
    assert f.strength is Strength.INFO and f.score is None
    assert "palette-quantised" in f.explanation and "dither" in f.explanation and f.region is not None


def test_detector_says_a_covered_face_was_not_judged_and_by_how_much():
    m = mesh_at()
    (f,) = detector([m]).image_findings(masked(photo(), m))
    assert f.strength is Strength.INFO and f.score is None and f.region is not None
    assert "covered" in f.explanation and f.evidence["lower_face_chroma"] > features.MAX_COVER


def test_a_hand_over_a_flagged_face_makes_it_not_judged_and_hands_are_sought_only_then():
    m = mesh_at()
    fake = pasted(photo(), m, lambda x: cv2.GaussianBlur(x, (0, 0), 2.0))
    det = detector([m], hands=[hand_over(m)])
    (f,) = det.image_findings(fake)
    assert f.strength is Strength.INFO and f.score is None and "covered by a hand" in f.explanation
    assert f.evidence["hand_share"] > features.MAX_HAND and det._mesh.hand_calls == 1
    det = detector([m], hands=[hand_over(m) + [400, 0, 0]])  # a hand elsewhere in the picture
    assert any(f.score and f.score >= 0.6 for f in det.image_findings(fake))
    det = detector([m], hands=[hand_over(m)])
    det.image_findings(photo())  # nothing to report: the hand model is never run
    assert det._mesh.hand_calls == 0


def test_video_says_why_a_segment_s_face_was_not_judged():
    m = mesh_at()
    blurred = pasted(photo(), m, lambda x: cv2.GaussianBlur(x, (0, 0), 2.0))  # moderate as a plain video
    cases = ((quantised(blurred), "palette-quantised frames"), (masked(blurred, m), "covered below the nose"))
    for img, words in cases:
        frames = [Frame(index=i, time=i / 30, rgb=img, window=0) for i in range(8)]
        (f,) = detector([m]).run(FakeVideo(frames))
        assert f.strength is Strength.INFO and f.score is None and words in f.explanation and f.time == (0.0, 7 / 30)


def test_video_frames_with_a_hand_over_the_face_are_not_judged():
    m = mesh_at()
    blurred = pasted(photo(), m, lambda x: cv2.GaussianBlur(x, (0, 0), 2.0))
    frames = [Frame(index=i, time=i / 30, rgb=blurred, window=0) for i in range(8)]
    det = detector([m], hands=[hand_over(m)])
    (f,) = det.run(FakeVideo(frames))
    assert f.score is None and "covered by a hand" in f.explanation
    assert det._mesh.hand_calls == 4  # the frames whose blend boundary is measured, each once


@pytest.mark.skipif(importlib.util.find_spec("mediapipe") is None, reason="mediapipe not installed")
@pytest.mark.skipif(not (SHARED_FACE.is_file() and SNORKEL.is_file()), reason="../shared samples absent")
def test_mediapipe_real_pictures_a_gif_and_a_snorkel_mask_are_not_judged():
    from PIL import Image

    det = FacesDetector(DetectorContext())
    gif = quantised(np.asarray(Image.open(SHARED_FACE).convert("RGB")), 128)
    assert [f for f in det.image_findings(gif) if "palette-quantised" in f.explanation and f.score is None]
    (f,) = det.image_findings(np.asarray(Image.open(SNORKEL).convert("RGB")))
    assert f.score is None and "covered" in f.explanation and f.evidence["lower_face_chroma"] > 20
