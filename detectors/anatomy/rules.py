"""Anatomy rules on landmark arrays: pure numpy, no MediaPipe, so each rule is unit-testable.

Every rule *measures* one quantity (an angle in degrees, a log-ratio, a distance in hand sizes)
and turns it into a score with :func:`ramp` between a ``weak`` and a ``moderate`` cut point
chosen on real photographs (``bench/anatomy_calibrate.py``).  Rules return a :class:`RuleResult`
even when nothing is wrong, so calibration can see the whole distribution; callers keep the
ones with ``score >= 0.3`` (``runner.py`` runs them all).

Hand geometry uses the model's metric 3D "world" landmarks, which MediaPipe infers with depth,
so angles and bone ratios do not shrink with foreshortening the way 2D pixel distances do.
Image-space rules (which hand belongs to which arm) use pixels scaled by the hand's own size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .landmarks import Hand

SCORE_CAP = 0.75  # anatomy alone may reach "possibly-synthetic", never "likely" (see docstring)
WEAK_CAP = 0.45  # face-mesh rules are weak evidence only

WRIST = 0
FINGERS = {"thumb": (1, 2, 3, 4), "index": (5, 6, 7, 8), "middle": (9, 10, 11, 12),
           "ring": (13, 14, 15, 16), "pinky": (17, 18, 19, 20)}
LONG_FINGERS = ("index", "middle", "ring", "pinky")

# (weak, moderate) cut points per measured quantity; see docs/detectors/anatomy.md for how
# they were chosen and what the real-photo distribution looks like.
CUTS = {
    "hyperextension": (50.0, 75.0),  # degrees a PIP/DIP joint bends backwards
    "lateral_bend": (55.0, 80.0),  # degrees a PIP/DIP joint bends sideways (it is a hinge)
    "phalanx_ratio": (1.30, 2.30),  # |log| deviation of a phalanx ratio from the human median
    "finger_length": (0.60, 0.90),  # |log| deviation of a finger's length relative to middle
    "interpenetration": (0.80, 0.95),  # 1 - distance/finger width between two fingers' bones
    "thumb_side": (0.20, 0.50),  # log(d(thumb base, index knuckle)/d(thumb base, pinky knuckle))
    "shared_wrist": (0.55, 0.75),  # 1 - wrist distance/hand size for two overlapping hands
    "arm_ratio": (0.65, 1.10),  # |log| deviation of forearm/upper-arm or left/right limb ratios
    "wrist_bend": (110.0, 140.0),  # degrees between forearm and hand (pose landmarks)
    "orphan_hand": (2.5, 4.0),  # hand-wrist distance to nearest visible arm wrist, in hand sizes
    "extra_hands": (1.0, 2.0),  # hands beyond the two arms of the only person in view
    "iris_size": (0.30, 0.45),  # |log| ratio of the two iris radii on a frontal face
    "iris_shape": (0.35, 0.50),  # |log| ratio of an iris' horizontal and vertical diameters
}

# Human reference ratios, measured as medians over hands detected in real photographs
# (bench/anatomy_calibrate.py prints them); middle/proximal and distal/middle per finger.
PHALANX_REF = {"thumb": (1.19, 0.78), "index": (0.77, 1.23), "middle": (0.76, 1.00),
               "ring": (0.95, 0.89), "pinky": (0.93, 0.89)}
FINGER_REF = {"thumb": 0.65, "index": 0.85, "middle": 1.0, "ring": 0.83, "pinky": 0.72}
FINGER_WIDTH = 0.016  # metres: centrelines of two real fingers cannot come closer than this


@dataclass(frozen=True)
class RuleResult:
    rule: str  # e.g. "hand.hyperextension"
    score: float  # in [0, SCORE_CAP]
    value: float  # the measured quantity the score comes from
    message: str  # one plain sentence, filled in even when the score is low
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # pixels, for the region
    landmarks: tuple[int, ...] = ()  # landmark indices behind the finding
    hand: int | None = None  # index of the hand in Landmarks.hands
    weak_only: bool = False


def ramp(value: float, cut: tuple[float, float], cap: float = SCORE_CAP) -> float:
    """0.3 at the weak cut, 0.6 at the moderate cut, rising to ``cap`` one step further."""
    weak, moderate = cut
    if not np.isfinite(value) or value <= 0:
        return 0.0
    if value < weak:
        s = 0.3 * value / weak
    elif value < moderate:
        s = 0.3 + 0.3 * (value - weak) / (moderate - weak)
    else:
        s = 0.6 + 0.15 * min(1.0, (value - moderate) / (moderate - weak))
    return float(min(cap, s))


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 1e-12, n, 1.0)


def hand_size_px(image: np.ndarray) -> float:
    """A foreshortening-tolerant hand size in pixels: the larger of palm length and 1.2x width."""
    palm_len = np.linalg.norm(image[9, :2] - image[0, :2])
    palm_wid = np.linalg.norm(image[5, :2] - image[17, :2])
    return float(max(palm_len, 1.2 * palm_wid))


def hand_confidence(image: np.ndarray) -> float:
    """Small hands give guessed landmarks: no weight below 32 px, full weight from 96 px.

    On real photographs nearly every extreme joint angle or bone ratio came from hands under
    40 px, where MediaPipe's 3D estimate is mostly prior, not measurement.
    """
    return float(np.clip((hand_size_px(image) - 32.0) / 64.0, 0.0, 1.0))


# --- joint angles -----------------------------------------------------------------------------

def joint_angles(world: np.ndarray, chirality: float) -> dict[int, tuple[float, float]]:
    """Signed flexion and unsigned sideways bend (degrees) at each PIP/DIP/thumb-IP joint.

    Flexion is measured about the knuckle line (index to pinky knuckle), positive towards the
    palm; ``chirality`` (+1/-1) says which way that is for this hand.
    """
    across = world[5] - world[17]
    out = {}
    for name, chain in FINGERS.items():
        joints = chain[1:3] if name != "thumb" else chain[2:3]
        for j in joints:
            v1, v2 = world[j] - world[j - 1], world[j + 1] - world[j]
            a = across - np.dot(across, _unit(v1)) * _unit(v1)
            a = _unit(a)
            flex = np.degrees(np.arctan2(np.dot(np.cross(v1, v2), a) * chirality, np.dot(v1, v2)))
            side = np.degrees(np.arcsin(np.clip(abs(np.dot(_unit(v2), a)), 0.0, 1.0)))
            out[j] = (float(flex), float(side))
    return out


def chirality(world: np.ndarray, handedness: str) -> float:
    """Sign that makes flexion positive: from the handedness label, overruled by the fingers.

    Most joints of a real hand are flexed or straight, so if the label's sign makes the sum of
    knuckle (MCP) and PIP flexion clearly negative, the label is taken to be wrong.
    """
    sign = 1.0 if handedness == "Right" else -1.0
    total = 0.0
    for name in LONG_FINGERS:
        m, p, d, _ = FINGERS[name]
        for j in (m, p):
            prev = world[0] if j == m else world[j - 1]
            v1, v2 = world[j] - prev, world[j + 1] - world[j]
            a = _unit(world[5] - world[17])
            total += np.degrees(np.arctan2(np.dot(np.cross(v1, v2), a), np.dot(v1, v2)))
    return sign if total * sign >= -40.0 else -sign


def rule_joint_angles(hand: Hand, index: int) -> list[RuleResult]:
    conf = hand_confidence(hand.image)
    angles = joint_angles(hand.world, chirality(hand.world, hand.handedness))
    long = {j: v for j, v in angles.items() if j not in FINGERS["thumb"]}
    back_j = max(long, key=lambda j: -long[j][0])
    side_j = max(long, key=lambda j: long[j][1])
    back, side = -long[back_j][0], long[side_j][1]
    thumb_back = -angles[3][0] - 40.0  # thumb IP hyperextends up to ~80 degrees in some people
    if thumb_back > back:
        back_j, back = 3, thumb_back
    res = []
    for rule, j, val, verb in (("hand.hyperextension", back_j, back, "bends backwards"),
                               ("hand.lateral_bend", side_j, side, "bends sideways")):
        res.append(RuleResult(
            rule=rule, score=conf * ramp(val, CUTS[rule.split(".")[1]]), value=val,
            message=f"a finger joint {verb} by about {max(val, 0):.0f} degrees, beyond what human "
                    "finger joints allow",
            points=hand.image[[j - 1, j, j + 1], :2], landmarks=(j - 1, j, j + 1), hand=index))
    return res


# --- proportions and topology -----------------------------------------------------------------

def _finger(name: str) -> str:
    return name if name == "thumb" else f"{name} finger"


def _bones(world: np.ndarray, chain: tuple[int, ...]) -> np.ndarray:
    return np.linalg.norm(np.diff(world[list(chain)], axis=0), axis=1)


def rule_proportions(hand: Hand, index: int) -> list[RuleResult]:
    conf = hand_confidence(hand.image)
    w = hand.world
    worst_p = (0.0, "index", 1)
    lengths = {}
    for name, chain in FINGERS.items():
        b = _bones(w, chain if name == "thumb" else (chain[0],) + chain[1:])
        lengths[name] = b.sum() if name != "thumb" else b[1:].sum()
        for k, ref in enumerate(PHALANX_REF[name]):
            ratio = b[k + 1] / max(b[k], 1e-6)
            dev = abs(np.log(max(ratio, 1e-3) / ref))
            if dev > worst_p[0]:
                worst_p = (float(dev), name, k + 1)
    dev_p, name_p, k = worst_p
    chain = FINGERS[name_p]
    out = [RuleResult(
        rule="hand.phalanx_ratio", score=conf * ramp(dev_p, CUTS["phalanx_ratio"]), value=dev_p,
        message=f"the {_finger(name_p)}'s segments have implausible proportions (one segment is "
                f"{np.exp(dev_p):.1f}x off the usual ratio to its neighbour)",
        points=hand.image[list(chain), :2], landmarks=chain, hand=index)]
    mid = max(lengths["middle"], 1e-6)
    devs = {n: abs(np.log(max(lengths[n] / mid, 1e-3) / FINGER_REF[n])) for n in lengths if n != "middle"}
    name_f = max(devs, key=devs.get)
    out.append(RuleResult(
        rule="hand.finger_length", score=conf * ramp(devs[name_f], CUTS["finger_length"]),
        value=float(devs[name_f]),
        message=f"the {_finger(name_f)} is {lengths[name_f] / mid:.1f}x the length of the middle "
                "finger, outside human proportions",
        points=hand.image[[0, *FINGERS[name_f], *FINGERS["middle"]], :2],
        landmarks=FINGERS[name_f], hand=index))
    return out


def _segment_distance(p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray) -> float:
    """Shortest distance between 3D segments p1-q1 and p2-q2 (sampled; exact enough here)."""
    t = np.linspace(0.0, 1.0, 9)[:, None]
    a = p1 + t * (q1 - p1)
    b = p2 + t * (q2 - p2)
    return float(np.min(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)))


def rule_interpenetration(hand: Hand, index: int) -> RuleResult:
    """Two fingers' bones passing through each other (or fused into one) in the 3D estimate."""
    w = hand.world
    best = (np.inf, (), ())
    names = list(LONG_FINGERS)
    for i, f1 in enumerate(names):
        for f2 in names[i + 1:]:
            c1, c2 = FINGERS[f1], FINGERS[f2]
            for s1 in range(1, 3):  # middle and distal bones; knuckles sit close by nature
                for s2 in range(1, 3):
                    d = _segment_distance(w[c1[s1]], w[c1[s1 + 1]], w[c2[s2]], w[c2[s2 + 1]])
                    if d < best[0]:
                        best = (d, (f1, f2), (c1[s1], c1[s1 + 1], c2[s2], c2[s2 + 1]))
    d, pair, lms = best
    val = float(1.0 - d / FINGER_WIDTH) if pair else 0.0
    return RuleResult(
        rule="hand.interpenetration", score=hand_confidence(hand.image) * ramp(val, CUTS["interpenetration"]),
        value=val, message=f"the {' and '.join(pair) or 'finger'} fingers pass through or merge "
                           f"into each other ({d * 1000:.0f} mm apart in the 3D estimate)",
        points=hand.image[list(lms), :2] if lms else np.zeros((0, 2)), landmarks=lms, hand=index)


def rule_thumb_side(hand: Hand, index: int) -> RuleResult:
    """The thumb's base (CMC, MCP) must sit on the index side; nearer the pinky means a swap."""
    w = hand.world
    base = w[[1, 2]].mean(axis=0)
    d_index, d_pinky = np.linalg.norm(base - w[5]), np.linalg.norm(base - w[17])
    val = float(np.log(max(d_index, 1e-6) / max(d_pinky, 1e-6)))
    return RuleResult(
        rule="hand.thumb_side", score=hand_confidence(hand.image) * ramp(val, CUTS["thumb_side"]),
        value=val, message="the thumb grows from the little-finger side of the hand",
        points=hand.image[[1, 2, 3, 4, 5, 17], :2], landmarks=(1, 2, 3, 4, 5, 17), hand=index)


def rule_shared_wrist(hands: Sequence[Hand]) -> list[RuleResult]:
    """Two hand detections on one wrist: a duplicated hand, extra fingers or two thumbs."""
    out = []
    for i in range(len(hands)):
        for j in range(i + 1, len(hands)):
            a, b = hands[i].image, hands[j].image
            size = 0.5 * (hand_size_px(a) + hand_size_px(b))
            dist = np.linalg.norm(a[0, :2] - b[0, :2]) / max(size, 1e-6)
            knuckles = np.linalg.norm(a[[5, 9, 13, 17], :2] - b[[5, 9, 13, 17], :2], axis=1).mean() / size
            val = float(1.0 - dist) if knuckles > 0.35 else 0.0  # same knuckles = a double detection
            mirrored = hands[i].handedness != hands[j].handedness
            what = "two thumbs (a mirrored second hand)" if mirrored else "extra fingers"
            conf = min(hand_confidence(a), hand_confidence(b))
            out.append(RuleResult(
                rule="hands.shared_wrist", score=conf * ramp(val, CUTS["shared_wrist"]), value=val,
                message=f"two hands grow from one wrist, which shows as {what}",
                points=np.vstack([a[:, :2], b[:, :2]]), landmarks=(0,), hand=i))
    return out


def check_hands(hands: Sequence[Hand]) -> list[RuleResult]:
    out: list[RuleResult] = []
    for i, h in enumerate(hands):
        if not np.all(np.isfinite(h.world)):
            continue
        out += rule_joint_angles(h, i)
        out += rule_proportions(h, i)
        out.append(rule_interpenetration(h, i))
        out.append(rule_thumb_side(h, i))
    out += rule_shared_wrist(hands)
    return out
