"""Anatomy rules on hand-built landmark sets with known anomalies, then MediaPipe end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from detectors.anatomy import body, rules, runner
from detectors.anatomy.landmarks import Face, Hand, Landmarks, Pose

SCALE, ORIGIN = 3000.0, np.array([500.0, 600.0])  # world metres -> template pixels


def _rot(axis, deg):
    a = np.radians(deg)
    x, y, z = np.asarray(axis, float) / np.linalg.norm(axis)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c + x * x * (1 - c), x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
                     [y * x * (1 - c) + z * s, c + y * y * (1 - c), y * z * (1 - c) - x * s],
                     [z * x * (1 - c) - y * s, z * y * (1 - c) + x * s, c + z * z * (1 - c)]])


def _chain(start, direction, bones, flex, side=(0.0, 0.0, 0.0)):
    """Points along a finger: each joint flexes towards +z (palm side) and may bend sideways."""
    pts, d, p = [np.asarray(start, float)], np.asarray(direction, float), np.asarray(start, float)
    for k, length in enumerate(bones):
        if k:
            axis = np.cross(d, [0, 0, 1.0])
            d = _rot(axis, -flex[k]) @ d
            if side[k]:  # about the finger's own dorsal axis, out of its flexion plane
                d = _rot(np.cross(np.cross(d, [0, 0, 1.0]), d), side[k]) @ d
        else:
            d = _rot(np.cross(d, [0, 0, 1.0]), -flex[0]) @ d
        p = p + length * d / np.linalg.norm(d)
        pts.append(p)
    return pts


# Bone lengths (m) that match the reference ratios in rules.PHALANX_REF / FINGER_REF.
def _long_bones(proximal, name):
    r1, r2 = rules.PHALANX_REF[name]
    return [proximal, proximal * r1, proximal * r1 * r2]


MCP = {"index": (0.030, -0.085), "middle": (0.010, -0.088), "ring": (-0.010, -0.083),
       "pinky": (-0.028, -0.075)}
PROXIMAL = {"index": 0.03548, "middle": 0.045, "ring": 0.03367, "pinky": 0.02961}


def make_world(flex=None, side=None, stretch=None):
    """A right hand, palm towards +z, gently curled; overrides per (finger, joint)."""
    flex, side, stretch = flex or {}, side or {}, stretch or {}
    w = np.zeros((21, 3))
    spread = {"index": 6.0, "middle": 0.0, "ring": -5.0, "pinky": -10.0}
    for name, chain in rules.FINGERS.items():
        if name == "thumb":
            bones = [0.0348, 0.0414, 0.0323]
            start, direction = (0.025, -0.025, 0.01), (0.7, -0.7, 0.15)
            f = [0.0, 10.0, 10.0]
            pts = [np.array(start)] + _chain(start, direction, bones, f)[1:]
        else:
            bones = _long_bones(PROXIMAL[name], name)
            start = (*MCP[name], 0.0)
            direction = _rot([0, 0, 1.0], spread[name]) @ np.array([0, -1.0, 0])
            f = [flex.get((name, 0), 10.0), flex.get((name, 1), 20.0), flex.get((name, 2), 10.0)]
            s = [0.0, side.get((name, 1), 0.0), side.get((name, 2), 0.0)]
            bones = [b * stretch.get((name, k), 1.0) for k, b in enumerate(bones)]
            pts = _chain(start, direction, bones, f, s)
        w[list(chain)] = pts
    return w


def make_hand(world=None, at=None, label="Right"):
    w = make_world() if world is None else world
    image = np.column_stack([w[:, :2] * SCALE + ORIGIN, w[:, 2] * SCALE])
    if at is not None:
        image[:, :2] += np.asarray(at, float) - image[0, :2]
    return Hand(image=image, world=w, handedness=label, score=0.98)


def fired(results, rule, min_score=0.3):
    return [r for r in results if r.rule == rule and r.score >= min_score]


def test_normal_hand_template_passes_every_rule():
    hand = make_hand()
    assert rules.hand_confidence(hand.image) == 1.0
    results = rules.check_hands([hand])
    assert {r.rule for r in results} >= {"hand.hyperextension", "hand.lateral_bend", "hand.phalanx_ratio",
                                         "hand.finger_length", "hand.interpenetration", "hand.thumb_side"}
    assert [r for r in results if r.score >= 0.3] == []


def test_wrong_handedness_label_does_not_turn_flexion_into_hyperextension():
    results = rules.check_hands([make_hand(label="Left")])
    assert fired(results, "hand.hyperextension") == []


def test_finger_bent_backwards_fires_and_scales_with_angle():
    mild = rules.check_hands([make_hand(make_world(flex={("index", 1): -60.0}))])
    severe = rules.check_hands([make_hand(make_world(flex={("index", 1): -95.0}))])
    (r,) = fired(mild, "hand.hyperextension")
    assert 0.3 <= r.score < 0.6 and r.landmarks == (5, 6, 7)
    (s,) = fired(severe, "hand.hyperextension", 0.6)
    assert s.value == pytest.approx(95.0, abs=3.0) and s.score <= rules.SCORE_CAP


def test_finger_bent_sideways_fires():
    results = rules.check_hands([make_hand(make_world(side={("ring", 2): 70.0}))])
    (r,) = fired(results, "hand.lateral_bend")
    assert r.landmarks == (14, 15, 16)


def test_stretched_phalanx_fires():
    results = rules.check_hands([make_hand(make_world(stretch={("index", 1): 6.0}))])
    (r,) = fired(results, "hand.phalanx_ratio")
    assert "index" in r.message
    assert fired(results, "hand.finger_length")  # the whole finger became too long too


def test_fingers_passing_through_each_other_fire():
    w = make_world()
    w[[11, 12]] = w[[7, 8]] + [0.001, 0.0, 0.0]  # middle finger's distal part inside the index
    (r,) = fired(rules.check_hands([make_hand(w)]), "hand.interpenetration")
    assert set(r.landmarks) & {6, 7, 8} and set(r.landmarks) & {10, 11, 12}


def test_thumb_on_the_little_finger_side_fires():
    w = make_world()
    w[1:5, 0] = -w[1:5, 0] - 0.01  # mirror the thumb across the palm
    assert fired(rules.check_hands([make_hand(w)]), "hand.thumb_side")


def test_two_hands_on_one_wrist_read_as_two_thumbs():
    right = make_hand()
    w = make_world() * [-1.0, 1.0, 1.0]  # a mirrored left hand growing from the same wrist
    left = make_hand(w, label="Left")
    (r,) = fired(rules.check_hands([right, left]), "hands.shared_wrist")
    assert "two thumbs" in r.message
    apart = make_hand(at=right.image[0, :2] + [700.0, 0.0])
    assert fired(rules.check_hands([right, apart]), "hands.shared_wrist") == []


def make_pose(forearm_scale=1.0, wrist_back=False):
    w = np.zeros((33, 3))
    for sign, (s, e, wr), (h, k, a) in ((1, body.ARMS["left"], body.LEGS["left"]),
                                         (-1, body.ARMS["right"], body.LEGS["right"])):
        w[s], w[e] = (0.18 * sign, -0.45, 0), (0.20 * sign, -0.16, 0)
        w[wr] = w[e] + (np.array([0.01 * sign, 0.24, 0]) * (forearm_scale if sign == 1 else 1.0))
        w[h], w[k], w[a] = (0.1 * sign, 0, 0), (0.1 * sign, 0.42, 0), (0.1 * sign, 0.82, 0)
        pinky, index = body.HAND_TIPS["left" if sign == 1 else "right"]
        hand_dir = np.array([0.0, -0.08 if (wrist_back and sign == 1) else 0.08, 0.0])
        w[pinky], w[index] = w[wr] + hand_dir + [0.02, 0, 0], w[wr] + hand_dir - [0.02, 0, 0]
    image = np.column_stack([w[:, :2] * 1000 + 1000, w[:, 2] * 1000])
    return Pose(image=image, world=w, visibility=np.ones(33))


def test_hand_folded_back_onto_the_forearm_fires():
    (r,) = fired(runner.check(scene([], make_pose(wrist_back=True))), "body.wrist_bend")
    assert r.value > 150 and r.score >= 0.6
    assert fired(runner.check(scene([], make_pose())), "body.wrist_bend") == []


def make_face(iris_scale=1.0):
    f = np.zeros((478, 3))
    f[33], f[263], f[1] = (400, 500, 0), (600, 500, 0), (500, 560, 0)
    for (c, r, t, left, b), cx, rad in ((body.IRISES[0], 440, 15.0), (body.IRISES[1], 560, 15.0 * iris_scale)):
        f[c], f[r], f[t] = (cx, 500, 0), (cx + rad, 500, 0), (cx, 500 - rad, 0)
        f[left], f[b] = (cx - rad, 500, 0), (cx, 500 + rad, 0)
    return Face(image=f)


def scene(hands, pose=None, faces=()):
    return Landmarks(width=2000, height=2000, hands=tuple(hands), pose=pose, faces=tuple(faces))


def test_one_person_with_a_hand_at_each_wrist_is_clean():
    pose = make_pose()
    hands = [make_hand(at=pose.image[15, :2]), make_hand(at=pose.image[16, :2])]
    assert runner.anomalies(scene(hands, pose, [make_face()])) == []


def test_third_hand_far_from_the_arms_fires():
    pose = make_pose()
    hands = [make_hand(at=pose.image[15, :2]), make_hand(at=pose.image[16, :2]),
             make_hand(at=(1900.0, 60.0))]
    found = runner.anomalies(scene(hands, pose, [make_face()]))
    (orphan,) = [r for r in found if r.rule == "hands.orphan"]
    assert orphan.hand == 2 and orphan.score >= 0.6
    assert [r for r in found if r.rule == "hands.extra"]
    # With two faces in view the extra hand may be someone else's: no hand/arm findings.
    crowd = runner.anomalies(scene(hands, pose, [make_face(), make_face()]))
    assert not [r for r in crowd if r.rule.startswith("hands.")]


def test_forearm_twice_the_usual_length_fires():
    (r,) = fired(runner.check(scene([], make_pose(forearm_scale=2.6))), "body.limb_ratio")
    assert r.score >= 0.3
    assert fired(runner.check(scene([], make_pose())), "body.limb_ratio") == []


def test_mismatched_irises_are_weak_only():
    assert fired(runner.check(scene([], faces=[make_face()])), "face.iris_size") == []
    (r,) = fired(runner.check(scene([], faces=[make_face(iris_scale=3.0)])), "face.iris_size")
    assert r.weak_only and r.score <= rules.WEAK_CAP


def test_scores_never_exceed_the_cap():
    assert rules.ramp(1e9, (1.0, 2.0)) == rules.SCORE_CAP
    assert rules.ramp(1.0, (1.0, 2.0)) == pytest.approx(0.3)
    assert rules.ramp(2.0, (1.0, 2.0)) == pytest.approx(0.6)


def test_availability_does_not_import_mediapipe():
    code = ("import sys; from detectors.anatomy import AnatomyDetector; AnatomyDetector.availability(); "
            "assert 'mediapipe' not in sys.modules and 'cv2' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


# --- MediaPipe end to end ----------------------------------------------------------------------

def _run(path):
    from detectors.anatomy import AnatomyDetector
    from synthcheck.detector import DetectorContext
    from synthcheck.media import Media

    det = AnatomyDetector(DetectorContext())
    det.load()
    return det.run(Media.open(path))


def test_models_ship_in_the_wheel():
    pytest.importorskip("mediapipe")
    from detectors.anatomy import AnatomyDetector
    from detectors.anatomy.landmarks import check_models_shipped

    assert check_models_shipped() == []
    assert AnatomyDetector.availability().ok


def test_image_without_people_says_not_checked(tmp_path):
    pytest.importorskip("mediapipe")
    from PIL import Image

    from synthcheck.model import Strength
    from tests.conftest import natural_image

    path = tmp_path / "scene.png"
    Image.fromarray(natural_image(320, 240)).save(path)
    (f,) = _run(path)
    assert f.strength is Strength.INFO and "no hands or people detected" in f.explanation


def test_real_photo_with_a_hand_is_checked(shared_data, tmp_path):
    """No image in the repo has a hand MediaPipe finds, so this uses ml72's people_2.jpg."""
    pytest.importorskip("mediapipe")
    from synthcheck.model import Kind, Strength

    src = shared_data / "labelled/ml72/real/people_2.jpg"
    if not src.exists():
        pytest.skip("ml72 people photos are not in ../shared")
    findings = _run(src)
    assert all(f.kind is Kind.SEMANTIC and f.detector == "anatomy" for f in findings)
    assert all(f.strength.rank <= Strength.WEAK.rank for f in findings)  # a real photo: calm
    info = [f for f in findings if f.strength is Strength.INFO]
    assert not info or "hand checked, no anomaly" in info[0].explanation


def test_models_load_with_the_network_switched_off(monkeypatch):
    pytest.importorskip("mediapipe")
    import socket

    from detectors.anatomy.landmarks import Landmarker

    def refuse(*a, **k):
        raise AssertionError("the anatomy detector tried to open a network socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    lmk = Landmarker()
    assert lmk.detect(np.zeros((64, 64, 3), np.uint8)).empty
    lmk.close()


def test_animation_is_checked_frame_by_frame(tmp_path):
    pytest.importorskip("mediapipe")
    from PIL import Image

    from tests.conftest import natural_image

    frames = [Image.fromarray(natural_image(160, 120, seed=s)) for s in range(3)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=1000, loop=0)
    (f,) = _run(path)
    assert "no hands or people detected in 3 frames" in f.explanation


def test_tiny_hands_are_not_judged():
    w = make_world(flex={("index", 1): -95.0})
    hand = make_hand(w)
    tiny = Hand(image=hand.image / 20.0, world=w, handedness="Right", score=0.98)  # ~13 px
    assert rules.hand_confidence(tiny.image) == 0.0
    assert fired(rules.check_hands([tiny]), "hand.hyperextension") == []


class _FakeLandmarker:
    def __init__(self, landmarks):
        self.landmarks = landmarks

    def detect(self, rgb):
        return self.landmarks


def test_rule_results_become_located_semantic_findings(tmp_path):
    from PIL import Image

    from detectors.anatomy import AnatomyDetector
    from synthcheck.detector import DetectorContext
    from synthcheck.media import Media
    from synthcheck.model import Kind, Strength

    path = tmp_path / "blank.png"
    Image.fromarray(np.zeros((2000, 2000, 3), np.uint8)).save(path)
    det = AnatomyDetector(DetectorContext())
    det._landmarker = _FakeLandmarker(scene([make_hand(make_world(flex={("index", 1): -95.0}))]))
    (f,) = det.run(Media.open(path))
    assert f.kind is Kind.SEMANTIC and f.strength is Strength.MODERATE
    assert f.score <= rules.SCORE_CAP and f.evidence["rule"] == "hand.hyperextension"
    assert f.evidence["landmarks"] == [5, 6, 7] and len(f.evidence["hand_landmarks"]) == 21
    x, y, w, h = f.region
    pts = np.array(f.evidence["points"])
    assert (x <= pts[:, 0]).all() and (pts[:, 0] <= x + w).all() and (y <= pts[:, 1]).all()
    det._landmarker = _FakeLandmarker(scene([make_hand()]))
    (ok,) = det.run(Media.open(path))
    assert ok.strength is Strength.INFO and ok.explanation == "1 hand checked, no anomaly"
