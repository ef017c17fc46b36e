"""Generated faces for the faces tests: hand-built 478-point meshes, textured 'photos', pastes,
palette pictures, masks and hands, and a detector whose MediaPipe is replaced by given meshes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from detectors.faces import FacesDetector, geometry
from synthcheck.detector import DetectorContext

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


def quantised(img, colours=64):
    """The picture as a GIF or pngquant would store it: a palette, Floyd-Steinberg dithered."""
    from PIL import Image

    return np.asarray(Image.fromarray(img).quantize(colours, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB"))


def masked(img, mesh, colour=(150, 190, 225)):
    """A plain cloth mask over the face below the upper lip, with the photo's own noise on it."""
    out = img.astype(np.int16)
    t = (np.mgrid[: img.shape[0], : img.shape[1]][0] - mesh[geometry.FOREHEAD, 1]) / (
        mesh[geometry.CHIN, 1] - mesh[geometry.FOREHEAD, 1])
    sel = hull_mask(img, mesh) & (t > 0.7)
    noise = np.random.default_rng(5).normal(0, 2, (int(sel.sum()), 3))
    out[sel] = np.array(colour) + noise
    return np.clip(out, 0, 255).astype(np.uint8)


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


class FakeVideo:
    kind = "video"

    def __init__(self, frames):
        self._frames, self.calls = frames, []

    def frames(self, **options):
        self.calls.append(options)
        return self._frames
