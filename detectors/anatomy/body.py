"""Body and face rules: limb proportions, hands that belong to no arm, iris irregularities.

Pure numpy like ``rules.py``.  MediaPipe Pose sees one person per image, so rules that count
hands against arms only run when the face mesh finds at most one face; with several people in
view a hand that belongs to nobody in the pose is normal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from .rules import CUTS, WEAK_CAP, RuleResult, hand_confidence, hand_size_px, ramp

if TYPE_CHECKING:  # pragma: no cover
    from .landmarks import Face, Landmarks, Pose

# Pose landmark indices (MediaPipe's subject-left / subject-right).
ARMS = {"left": (11, 13, 15), "right": (12, 14, 16)}  # shoulder, elbow, wrist
HAND_TIPS = {"left": (17, 19), "right": (18, 20)}  # pose's own pinky and index points
LEGS = {"left": (23, 25, 27), "right": (24, 26, 28)}  # hip, knee, ankle
FOREARM_REF = 0.80  # forearm / upper arm between joint centres (radius/humerus is about 0.77)
MIN_VIS = 0.8  # pose landmarks less visible than this are guessed, not seen: skipped

# Face mesh indices: iris centre then four rim points, and eye corners for the frontal check.
IRISES = ((468, 469, 470, 471, 472), (473, 474, 475, 476, 477))
EYE_CORNERS = (33, 263)
NOSE_TIP = 1


def _seen(pose: Pose, idx: Sequence[int]) -> bool:
    return bool(np.all(pose.visibility[list(idx)] >= MIN_VIS))


def _len(world: np.ndarray, a: int, b: int) -> float:
    return float(np.linalg.norm(world[a] - world[b]))


def rule_limb_ratios(pose: Pose) -> list[RuleResult]:
    """Forearm against upper arm, and left against right for each limb segment."""
    w = pose.world
    cands = []  # (deviation, message, landmark indices)
    for side, (s, e, wr) in ARMS.items():
        if _seen(pose, (s, e, wr)):
            r = _len(w, e, wr) / max(_len(w, s, e), 1e-6)
            cands.append((abs(np.log(max(r, 1e-3) / FOREARM_REF)),
                          f"the {side} forearm is {r:.1f}x the length of its upper arm", (s, e, wr)))
    for limb in (ARMS, LEGS):
        (a1, b1, c1), (a2, b2, c2) = limb["left"], limb["right"]
        for (p1, q1), (p2, q2), part in (((a1, b1), (a2, b2), "upper"), ((b1, c1), (b2, c2), "lower")):
            if _seen(pose, (p1, q1, p2, q2)):
                r = _len(w, p1, q1) / max(_len(w, p2, q2), 1e-6)
                name = ("upper arm" if part == "upper" else "forearm") if limb is ARMS else \
                       ("thigh" if part == "upper" else "shin")
                cands.append((abs(np.log(max(r, 1e-3))),
                              f"the left {name} is {r:.1f}x the length of the right one", (p1, q1, p2, q2)))
    if not cands:
        return []
    dev, msg, idx = max(cands, key=lambda c: c[0])
    return [RuleResult(rule="body.limb_ratio", score=ramp(dev, CUTS["arm_ratio"]), value=float(dev),
                       message=msg, points=pose.image[list(idx), :2], landmarks=idx)]


def rule_wrist_bend(pose: Pose) -> list[RuleResult]:
    """Angle between forearm and hand in the pose's 3D estimate; real wrists stay within ~90.

    Wrist flexion/extension reaches 70-90 degrees, so the cut points sit well beyond it (the
    largest angle on real photographs was 94 degrees): a hand folded back onto its forearm.
    """
    out = []
    w = pose.world
    for side, (_, e, wr) in ARMS.items():
        pk, ix = HAND_TIPS[side]
        if not _seen(pose, (e, wr, pk, ix)):
            continue
        fore, hand = w[wr] - w[e], (w[pk] + w[ix]) / 2 - w[wr]
        cos = np.dot(fore, hand) / max(np.linalg.norm(fore) * np.linalg.norm(hand), 1e-9)
        ang = float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
        out.append(RuleResult(
            rule="body.wrist_bend", score=ramp(ang, CUTS["wrist_bend"]), value=ang,
            message=f"the {side} hand is bent {ang:.0f} degrees against its forearm, beyond what "
                    "a wrist allows", points=pose.image[[e, wr, pk, ix], :2], landmarks=(e, wr, pk, ix)))
    return out


def rule_hands_and_arms(landmarks: Landmarks) -> list[RuleResult]:
    """Hands far from every visible arm, and more hands than the one person has arms."""
    pose, hands = landmarks.pose, landmarks.hands
    if pose is None or not hands or len(landmarks.faces) > 1:
        return []
    arms_seen = [ARMS[s] for s in ARMS if _seen(pose, ARMS[s])]
    out = []
    if len(arms_seen) == 2:  # both arms fully visible: every hand must sit at one of the wrists
        wrists = pose.image[[15, 16], :2]
        for i, h in enumerate(hands):
            size = max(hand_size_px(h.image), 1e-6)
            near = np.linalg.norm(wrists - h.image[[0, 9]].mean(axis=0)[:2], axis=1).min() / size
            out.append(RuleResult(
                rule="hands.orphan", score=hand_confidence(h.image) * ramp(near, CUTS["orphan_hand"]),
                value=float(near), message=f"a hand lies {near:.1f} hand-lengths from the nearest "
                                           "wrist of the only visible person, attached to no arm",
                points=h.image[:, :2], landmarks=(0,), hand=i))
    extra = len(hands) - 2
    if extra > 0 and len(landmarks.faces) == 1:
        pts = np.vstack([h.image[:, :2] for h in hands])
        out.append(RuleResult(
            rule="hands.extra", score=ramp(float(extra), CUTS["extra_hands"]), value=float(extra),
            message=f"{len(hands)} hands but only one person (one face) is in view",
            points=pts, landmarks=()))
    return out


def check_body(landmarks: Landmarks) -> list[RuleResult]:
    out: list[RuleResult] = []
    if landmarks.pose is not None and np.all(np.isfinite(landmarks.pose.world)):
        out += rule_limb_ratios(landmarks.pose)
        out += rule_wrist_bend(landmarks.pose)
    out += rule_hands_and_arms(landmarks)
    return out


def _frontal(face: np.ndarray) -> bool:
    """Nose tip roughly midway between the outer eye corners: a near-frontal face."""
    a, b, n = face[EYE_CORNERS[0], :2], face[EYE_CORNERS[1], :2], face[NOSE_TIP, :2]
    span = np.linalg.norm(a - b)
    return span > 40 and abs(np.linalg.norm(n - a) - np.linalg.norm(n - b)) / span < 0.15


def iris_radii(face: np.ndarray, iris: tuple[int, ...]) -> tuple[float, float]:
    """Horizontal and vertical iris radii in pixels from the four rim points."""
    _, right, top, left, bottom = iris
    return (float(np.linalg.norm(face[right, :2] - face[left, :2]) / 2),
            float(np.linalg.norm(face[top, :2] - face[bottom, :2]) / 2))


def check_faces(faces: Sequence[Face]) -> list[RuleResult]:
    out = []
    for f in faces:
        pts = f.image
        if not _frontal(pts):
            continue
        radii = [iris_radii(pts, iris) for iris in IRISES]
        mean = [np.mean(r) for r in radii]
        size = abs(np.log(max(mean[0], 1e-6) / max(mean[1], 1e-6)))
        idx = tuple(i for iris in IRISES for i in iris)
        out.append(RuleResult(
            rule="face.iris_size", score=ramp(size, CUTS["iris_size"], WEAK_CAP), value=float(size),
            message=f"the two irises differ in size by {np.exp(size):.2f}x on a frontal face",
            points=pts[list(idx), :2], landmarks=idx, weak_only=True))
        shape = max(abs(np.log(max(h, 1e-6) / max(v, 1e-6))) for h, v in radii)
        out.append(RuleResult(
            rule="face.iris_shape", score=ramp(shape, CUTS["iris_shape"], WEAK_CAP), value=float(shape),
            message=f"an iris is {np.exp(shape):.2f}x wider than tall (or taller than wide), not round",
            points=pts[list(idx), :2], landmarks=idx, weak_only=True))
    return out
