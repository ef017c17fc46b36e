"""Faces rules on generated faces (no MediaPipe: meshes are built by hand), then MediaPipe end to end."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from detectors.faces import FacesDetector, dynamics, features, geometry, rules
from detectors.faces import calibration as C
from detectors.faces.boundary import boundary_stats
from synthcheck.detector import ADVISORY_KEY, DetectorContext
from synthcheck.fusion import fuse
from synthcheck.model import Strength
from synthcheck.video import Frame

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SHARED_FACE = SHARED_DATA / "faces" / "real" / "ghost-sources-targets" / "examples__images__beckham.jpg"
SNORKEL = SHARED_DATA / "real" / "imagenet-samples" / "n04251144_snorkel.JPEG"  # a diving mask over the face


def _rot_y(deg):
    a = np.radians(deg)
    return np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])


def _rot_x(deg):
    a = np.radians(deg)
    return np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])


def canonical(eye_open=1.0):
    """A 478-point face in face units (x right in the image, y down, z away from the camera)."""
    rng = np.random.default_rng(0)
    p = np.zeros((478, 3))
    t = rng.uniform(0, 2 * np.pi, 478)
    p[:, 0], p[:, 1] = 0.5 * rng.uniform(0, 0.8, 478) * np.cos(t), 0.6 * rng.uniform(0, 0.8, 478) * np.sin(t)
    n = len(geometry.OVAL)
    for k, idx in enumerate(geometry.OVAL):  # clockwise from the forehead
        a = -np.pi / 2 + 2 * np.pi * k / n
        p[idx] = (0.5 * np.cos(a), 0.6 * np.sin(a), 0.15)
    p[geometry.CHEEK_R] = (-0.5, 0.0, 0.15)
    p[geometry.CHEEK_L] = (0.5, 0.0, 0.15)
    p[geometry.FOREHEAD], p[geometry.CHIN] = (0, -0.6, 0.15), (0, 0.6, 0.15)
    for eye, cx in ((geometry.EYE_R, -0.2), (geometry.EYE_L, 0.2)):
        c0, t1, t2, c1, b2, b1 = eye
        w, h = 0.14, 0.045 * eye_open
        p[c0], p[c1] = (cx - w / 2, -0.1, 0), (cx + w / 2, -0.1, 0)
        p[t1], p[t2] = (cx - w / 6, -0.1 - h, 0), (cx + w / 6, -0.1 - h, 0)
        p[b1], p[b2] = (cx - w / 6, -0.1 + h, 0), (cx + w / 6, -0.1 + h, 0)
    p[geometry.EYE_OUTER_R], p[geometry.EYE_OUTER_L] = (-0.27, -0.1, 0), (0.27, -0.1, 0)
    p[geometry.MOUTH_UPPER], p[geometry.MOUTH_LOWER] = (0, 0.3, -0.02), (0, 0.34, -0.02)
    p[geometry.NOSE_TIP] = (0, 0.1, -0.2)
    return p


def mesh_at(cx=200.0, cy=200.0, size=160.0, yaw=0.0, pitch=0.0, central_yaw=0.0, eye_open=(1.0, 1.0)):
    """Pixels: a face ``size`` px high-ish at (cx, cy); ``central_yaw`` turns only the eyes and nose."""
    p = canonical()
    for eye, o in ((geometry.EYE_R, eye_open[0]), (geometry.EYE_L, eye_open[1])):
        p[list(eye)] = canonical(o)[list(eye)]
    if central_yaw:
        c = list(geometry.CENTRAL) + [geometry.MOUTH_UPPER, geometry.MOUTH_LOWER]
        p[c] = p[c] @ _rot_y(central_yaw).T
    p = p @ (_rot_x(pitch) @ _rot_y(yaw)).T
    return np.column_stack([p[:, 0] * size + cx, p[:, 1] * size + cy, p[:, 2] * size])


def photo(seed=1, shape=(400, 400), sigma=4.0):
    """A textured 'photo': smooth shading plus sensor-like noise everywhere."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    base = 120 + 40 * np.sin(xx / 37.0) * np.cos(yy / 53.0)
    img = np.stack([base + 20, base, base - 15], axis=-1) + rng.normal(0, sigma, (*shape, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def hull_mask(img, mesh):
    m = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(geometry.hull_polygon(mesh)).astype(np.int32)], 1)
    return m.astype(bool)


def pasted(img, mesh, fn):
    out = img.copy()
    m = hull_mask(img, mesh)
    out[m] = fn(img)[m]
    return out


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


# -- faces that are not judged -----------------------------------------------------------
def test_small_and_profile_faces_are_not_judged():
    img = photo()
    assert features.measure_face(img, mesh_at(size=50)).not_judged == "too small"
    assert features.measure_face(img, mesh_at(yaw=75)).not_judged == "profile view"
    assert features.measure_face(img, mesh_at()).not_judged == ""


def quantised(img, colours=64):
    """The picture as a GIF or pngquant would store it: a palette, Floyd-Steinberg dithered."""
    from PIL import Image

    return np.asarray(Image.fromarray(img).quantize(colours, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB"))


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


def masked(img, mesh, colour=(150, 190, 225)):
    """A plain cloth mask over the face below the upper lip, with the photo's own noise on it."""
    out = img.astype(np.int16)
    t = (np.mgrid[: img.shape[0], : img.shape[1]][0] - mesh[geometry.FOREHEAD, 1]) / (
        mesh[geometry.CHIN, 1] - mesh[geometry.FOREHEAD, 1])
    sel = hull_mask(img, mesh) & (t > 0.7)
    noise = np.random.default_rng(5).normal(0, 2, (int(sel.sum()), 3))
    out[sel] = np.array(colour) + noise
    return np.clip(out, 0, 255).astype(np.uint8)


def test_a_masked_lower_face_is_not_judged_and_bare_or_darker_skin_is():
    img, m = photo(), mesh_at()
    bare = features.measure_face(img, m)
    assert bare.not_judged == "" and bare.cover < 5
    cover = features.measure_face(masked(img, m), m)
    assert cover.not_judged == features.COVERED and cover.cover > features.MAX_COVER
    assert cover.boundary is None  # nothing scored
    shadow = masked(img, m, colour=(95, 78, 68))  # stubble or a shadow: darker, same warm chroma
    assert features.measure_face(shadow, m).not_judged == ""


class FakeMesh:
    def __init__(self, meshes, hands=()):
        self.meshes, self._hands, self.hand_calls = meshes, hands, 0

    def detect(self, rgb):
        return [m.copy() for m in self.meshes]

    def hands(self, rgb):
        self.hand_calls += 1
        return [h.copy() for h in self._hands]


def detector(meshes, hands=()):
    det = FacesDetector(DetectorContext())
    det._mesh = FakeMesh(meshes, hands)
    return det


def hand_over(mesh, share=0.5):
    """21 'landmarks' filling a box over the lower part of the face, about ``share`` of its height."""
    (x0, y0), (x1, y1) = geometry.hull_polygon(mesh).min(axis=0), geometry.hull_polygon(mesh).max(axis=0)
    xs, ys = np.meshgrid(np.linspace(x0, x1, 7), np.linspace(y1 - share * (y1 - y0), y1, 3))
    return np.column_stack([xs.ravel(), ys.ravel(), np.zeros(21)])


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


class FakeVideo:
    kind = "video"

    def __init__(self, frames):
        self._frames, self.calls = frames, []

    def frames(self, **options):
        self.calls.append(options)
        return self._frames


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


@pytest.mark.skipif(importlib.util.find_spec("mediapipe") is None, reason="mediapipe not installed")
@pytest.mark.skipif(not (SHARED_FACE.is_file() and SNORKEL.is_file()), reason="../shared samples absent")
def test_mediapipe_real_pictures_a_gif_and_a_snorkel_mask_are_not_judged():
    from PIL import Image

    det = FacesDetector(DetectorContext())
    gif = quantised(np.asarray(Image.open(SHARED_FACE).convert("RGB")), 128)
    assert [f for f in det.image_findings(gif) if "palette-quantised" in f.explanation and f.score is None]
    (f,) = det.image_findings(np.asarray(Image.open(SNORKEL).convert("RGB")))
    assert f.score is None and "covered" in f.explanation and f.evidence["lower_face_chroma"] > 20


def test_fake_media_namespace_is_enough():  # the detector only touches kind/rgb/frames
    det = detector([mesh_at()])
    fs = det.run(SimpleNamespace(kind="image", rgb=photo()))
    assert fs and all(f.detector == "faces" for f in fs)
