"""Faces rules on generated faces (no MediaPipe: meshes are built by hand), then MediaPipe end to end."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from detectors.faces import FacesDetector, dynamics, geometry, rules
from detectors.faces import calibration as C
from detectors.faces.boundary import boundary_stats
from synthcheck.detector import ADVISORY_KEY, DetectorContext
from synthcheck.fusion import fuse
from synthcheck.model import Strength
from synthcheck.video import Frame

from .faces_fixtures import SHARED_FACE, FakeVideo, detector, mesh_at, pasted, photo


# -- geometry ----------------------------------------------------------------------------
def test_face_size_and_box_follow_the_oval():
    m = mesh_at(size=160)
    assert 130 < geometry.face_size(m) < 170
    x, y, w, h = geometry.hull_box(m, 400, 400)
    assert (x, y) == (120, 104) and 155 <= w <= 161 and 190 <= h <= 193


def test_one_face_found_twice_counts_once_and_two_faces_stay_two():
    big, twin, other = mesh_at(size=160), mesh_at(cx=205, size=150), mesh_at(cx=600, size=100)
    kept = geometry.dedupe([twin, other, big])
    assert len(kept) == 2 and kept[0] is big and kept[1] is other


def test_yaw_reads_a_turned_face():
    assert abs(geometry.yaw_degrees(mesh_at())) < 2
    left, right = geometry.yaw_degrees(mesh_at(yaw=30)), geometry.yaw_degrees(mesh_at(yaw=-30))
    assert abs(left) > 15 and abs(right) > 15 and np.sign(left) == -np.sign(right)


def test_head_pose_agrees_for_a_rigid_head_and_not_for_a_turned_centre():
    rest = geometry.pose_difference(mesh_at())[1]
    for yaw, pitch in ((0, 0), (20, 0), (-15, 10)):
        angle, _ = geometry.pose_difference(mesh_at(yaw=yaw, pitch=pitch), rest)
        assert angle < 4.0, (yaw, pitch, angle)
    angle, axes = geometry.pose_difference(mesh_at(central_yaw=25), rest)
    assert angle > 15.0 and abs(axes[0]) > 15.0


def test_head_pose_rule_scores_disagreement_and_stays_weak():
    low = rules.head_pose(1.0, (1.0, 0.0, 0.0))
    high = rules.head_pose(60.0, (60.0, 0.0, 0.0))
    assert low.score < 0.3 <= high.score <= C.POSE_CAP
    assert "60.0 degrees" in high.message


# -- blend boundary ----------------------------------------------------------------------
def test_boundary_stats_near_zero_on_one_uniform_photo():
    img, m = photo(), mesh_at()
    s = boundary_stats(img, geometry.hull_polygon(m), geometry.face_size(m))
    assert abs(s.noise) < 0.25 and abs(s.sharpness) < 0.25 and abs(s.jpeg_grid) < 0.05 and s.colour < 0.5


def test_a_cleaner_softer_pasted_face_reads_as_a_blend_boundary():
    img, m = photo(), mesh_at()
    fake = pasted(img, m, lambda x: cv2.GaussianBlur(x, (0, 0), 2.0))
    real_r = rules.blend_boundary(boundary_stats(img, geometry.hull_polygon(m), geometry.face_size(m)))
    fake_s = boundary_stats(fake, geometry.hull_polygon(m), geometry.face_size(m))
    fake_r = rules.blend_boundary(fake_s)
    assert fake_s.noise < -1.0 and fake_s.sharpness < 0
    assert fake_r.score >= 0.6 > real_r.score
    assert "cleaner" in fake_r.message


def test_a_shifted_jpeg_grid_inside_the_face_is_measured():
    from io import BytesIO

    from PIL import Image

    def jpeg(a, q=60):
        buf = BytesIO()
        Image.fromarray(a).save(buf, "JPEG", quality=q)
        return np.asarray(Image.open(BytesIO(buf.getvalue())).convert("RGB"))

    img, m = jpeg(photo(sigma=1.0)), mesh_at()
    fake = pasted(img, m, lambda x: np.roll(x, (3, 3), axis=(0, 1)))
    real_s = boundary_stats(img, geometry.hull_polygon(m), geometry.face_size(m))
    fake_s = boundary_stats(fake, geometry.hull_polygon(m), geometry.face_size(m))
    assert fake_s.block_out > 1.05 and fake_s.jpeg_grid > real_s.jpeg_grid + 0.05


def test_a_recoloured_face_shows_a_colour_step():
    img, m = photo(), mesh_at()
    fake = pasted(img, m, lambda x: np.clip(x.astype(int) + [25, 0, -20], 0, 255).astype(np.uint8))
    real_s = boundary_stats(img, geometry.hull_polygon(m), geometry.face_size(m))
    fake_s = boundary_stats(fake, geometry.hull_polygon(m), geometry.face_size(m))
    assert fake_s.colour > real_s.colour + 0.5


def test_scores_are_monotone_in_the_logit_and_bounded():
    xs = np.linspace(C.ANCHORS_LOGIT[0] - 5, C.ANCHORS_LOGIT[-1] + 5, 50)
    s = [rules.to_score(x) for x in xs]
    assert all(b >= a for a, b in zip(s, s[1:])) and s[0] == 0.0 and s[-1] == C.SCORE_CAP < 0.9
    assert rules.to_score(C.ANCHORS_LOGIT[2]) == pytest.approx(0.6) and rules.to_score(float("nan")) == 0.0


def test_detector_flags_the_pasted_face_with_its_hull_as_region():
    m = mesh_at()
    fake = pasted(photo(), m, lambda x: cv2.GaussianBlur(x, (0, 0), 2.0))
    fs = detector([m]).image_findings(fake)
    blend = [f for f in fs if f.evidence["rule"] == "face.blend_boundary"][0]
    assert blend.strength.rank >= Strength.MODERATE.rank
    assert blend.region == geometry.hull_box(m, 400, 400)
    real = [f for f in detector([m]).image_findings(photo()) if f.evidence["rule"] == "face.blend_boundary"][0]
    assert real.strength is Strength.INFO and real.score < 0.3


def test_a_disagreeing_head_pose_is_shown_as_context_and_never_counted():
    # inverted on GHOST's public swaps (docs/targets.md): it may be read, it may not decide
    m = mesh_at(central_yaw=40)
    fs = detector([m]).image_findings(photo())
    pose = [f for f in fs if f.evidence["rule"] == "face.head_pose"]
    assert pose, "a 40-degree disagreement must be shown"
    (f,) = pose
    assert f.score >= 0.3 and f.strength is Strength.WEAK
    assert "GHOST" in f.evidence[ADVISORY_KEY] and "not counted in the verdict" in f.explanation
    blend = [f for f in fs if f.evidence["rule"] == "face.blend_boundary"][0]
    assert ADVISORY_KEY not in blend.evidence
    verdict = fuse(fs, [], fatal=False)
    assert verdict.score == blend.score  # the pose finding is left out of the fused score


def test_a_score_near_a_cut_is_rescored_under_mild_processing():
    m = mesh_at()
    det = detector([m])
    assert det.stability(photo(), m, 0.2) == {}
    ev = det.stability(photo(), m, 0.62)
    assert set(ev["rescored"]) == {"jpeg_q85", "resize_0.9"}
    assert ev.get("unstable") is True  # a uniform photo rescored lands far below 0.6
    assert "after a JPEG quality 85 re-encode" in ev["unstable_reason"]


# -- video dynamics ----------------------------------------------------------------------
def test_blinks_counts_both_eyed_blinks_and_flags_one_eyed_ones():
    opening = [1, 1, 1, 0.1, 0.1, 1, 1, 1, 1, 1, 0.1, 1]
    real = [mesh_at(eye_open=(o, o)) for o in opening]
    r = dynamics.blinks(real, np.arange(len(opening)) / 30)
    assert r.evidence["blinks"] == 2 and r.score < 0.3
    assert r.evidence["blink_seconds"][0] == pytest.approx(2 / 30, abs=1e-3)
    odd = [mesh_at(eye_open=(o, 1.0)) for o in opening]
    r = dynamics.blinks(odd, np.arange(len(opening)) / 30)
    assert r.score >= 0.3 and r.evidence["one_eye_closed_frames"] == 3 and r.score <= dynamics.CAP


def test_jitter_follows_the_head_and_flags_a_shimmering_inner_face():
    rng = np.random.default_rng(3)
    moving = [mesh_at(cx=200 + 3 * k, cy=200 + k, yaw=k) for k in range(10)]
    for m in moving:
        m[:, :2] += rng.normal(0, 0.3, (478, 2))  # landmark noise everywhere
    assert dynamics.jitter(moving).score < 0.3
    shimmer = [m.copy() for m in moving]
    for m in shimmer:
        m[list(geometry.CENTRAL), :2] += rng.normal(0, 2.0, (len(geometry.CENTRAL), 2))
    r = dynamics.jitter(shimmer)
    assert r.score >= 0.3 and r.evidence["ratio"] > dynamics.CUTS["jitter"][0]


def test_colour_drift_ignores_steady_colour_and_flags_drift():
    steady = [[1.0, 0.5, -0.5]] * 8
    assert dynamics.colour_drift(steady).score == 0.0
    drift = [[10.0 * np.sin(k), 0.0, 0.0] for k in range(8)]
    assert dynamics.colour_drift(drift).score >= 0.3


def test_face_minus_ring_reads_a_recoloured_face():
    img, m = photo(), mesh_at()
    d0 = dynamics.face_minus_ring(img, m)
    d1 = dynamics.face_minus_ring(pasted(img, m, lambda x: np.clip(x.astype(int) + [30, 0, 0], 0, 255)
                                         .astype(np.uint8)), m)
    assert np.linalg.norm(d1 - d0) > 5


def test_video_uses_the_temporal_sample_and_reports_segments_with_times():
    from detectors.temporal import TemporalDetector, sample_options

    m = mesh_at()
    img = pasted(photo(), m, lambda x: cv2.GaussianBlur(x, (0, 0), 2.0))
    frames = [Frame(index=i, time=i / 30, rgb=img, window=i // 8) for i in range(16)]
    video = FakeVideo(frames)
    det = detector([m])
    fs = det.run(video)
    assert video.calls == [sample_options({})]
    assert sample_options({}) == {"max_frames": TemporalDetector.MAX_FRAMES, "fps": TemporalDetector.FPS,
                                  "max_side": TemporalDetector.MAX_SIDE, "window": TemporalDetector.WINDOW}
    blend = [f for f in fs if f.evidence.get("rule") == "face.blend_boundary"]
    assert [f.time for f in blend] == [(0.0, 7 / 30), (8 / 30, 15 / 30)]
    assert all(f.strength.rank >= Strength.MODERATE.rank and f.region for f in blend)
    assert set(blend[0].evidence["dynamics"]) == {"video.blink", "video.jitter", "video.colour_drift"}
    assert blend[0].evidence["dynamics"]["video.blink"]["blinks"] == 0


def test_video_regions_are_in_the_videos_own_pixels():
    m = mesh_at()
    frames = [Frame(index=i, time=i / 30, rgb=photo(), window=0) for i in range(8)]
    video = FakeVideo(frames)
    video.width = 800  # sampled frames are 400 px wide: half the source
    (blend,) = [f for f in detector([m]).run(video) if f.evidence.get("rule") == "face.blend_boundary"]
    x, y, w, h = geometry.hull_box(m, 400, 400)
    assert blend.region == (2 * x, 2 * y, 2 * w, 2 * h)


def test_video_without_faces_is_info():
    frames = [Frame(index=i, time=i / 30, rgb=photo(), window=0) for i in range(4)]
    (f,) = detector([]).run(FakeVideo(frames))
    assert f.strength is Strength.INFO and "no face" in f.explanation


# -- MediaPipe end to end ----------------------------------------------------------------
@pytest.mark.skipif(importlib.util.find_spec("mediapipe") is None, reason="mediapipe not installed")
@pytest.mark.skipif(not SHARED_FACE.is_file(), reason="../shared face sample absent")
def test_mediapipe_finds_the_shared_face_and_reports_its_region():
    from PIL import Image

    rgb = np.asarray(Image.open(SHARED_FACE).convert("RGB"))
    det = FacesDetector(DetectorContext())
    fs = det.image_findings(rgb)
    blend = [f for f in fs if f.evidence.get("rule") == "face.blend_boundary"]
    assert blend and blend[0].region is not None and blend[0].score is not None
    x, y, w, h = blend[0].region
    assert w >= 64 and h >= 64 and x + w <= rgb.shape[1] and y + h <= rgb.shape[0]
    assert not det.image_findings(np.full((200, 200, 3), 128, np.uint8))[0].score  # no face: info


def test_fake_media_namespace_is_enough():  # the detector only touches kind/rgb/frames
    det = detector([mesh_at()])
    fs = det.run(SimpleNamespace(kind="image", rgb=photo()))
    assert fs and all(f.detector == "faces" for f in fs)
