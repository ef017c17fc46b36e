"""The learned pixel detector (``synthcheck explain learned`` prints the class docstring)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthcheck.detector import Availability, Detector, default_weights_dir, strength_for_score
from synthcheck.model import Finding, Kind, Strength

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media

WEIGHTS = "learned-v1.safetensors"
HASH_FILE = "learned-v1.sha256"
VIDEO_FRAMES = 8


def expected_sha256(weights_dir: Path) -> str | None:
    try:
        return (Path(weights_dir) / HASH_FILE).read_text().split()[0].strip().lower()
    except (OSError, IndexError):
        return None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_weights(weights_dir: Path) -> Availability:
    """Weights present and matching the recorded sha256; hashlib only, no torch import."""
    path = Path(weights_dir) / WEIGHTS
    if not path.is_file():
        return Availability(False, f"weight file {WEIGHTS} is missing from {weights_dir}",
                            "python -m detectors.learned.train --data ../shared/data --out weights/")
    want = expected_sha256(weights_dir)
    if want is None:
        return Availability(False, f"{HASH_FILE} is missing from {weights_dir}", "restore it from the repository")
    if file_sha256(path) != want:
        return Availability(False, f"{WEIGHTS} does not match its recorded sha256", "restore the shipped weights")
    return Availability(True)


class LearnedDetector(Detector):
    """Learned pixel detector: a small CNN looking for generator upsampling traces in patches.

    What it measures: a residual CNN (about 0.1 M parameters, trained by synthcheck from scratch,
    no pretrained weights) looks at 16 textured 64 px patches of the image, each turned into a
    high-pass residual (the patch minus its nearest-neighbour 2x down-up-sampled copy, "NPR",
    and minus a 3x3 blur), and gives each patch a logit.  The image score is the mean patch
    logit, calibrated on held-back real photos so that 0.9 is exceeded by at most 1% of them and
    0.6 by at most 5%.  It was trained on simulated generator output: real photos sent through
    the FLUX.2 tiny autoencoder and through random small upsampling decoders (nearest,
    bilinear, transposed-conv, pixel-shuffle).  Videos: the first 8 sampled frames, averaged.

    How to read the score: >= 0.9 strong, >= 0.6 moderate, >= 0.3 weak; below 0.3 the net found
    nothing, which is NOT evidence that the image is a camera photo.  The finding's region is
    the most suspicious patch; evidence lists the raw logit, patches used and top patches.  A
    score close to a cut point is re-scored after a JPEG q85 re-encode and a 0.9x resize; if
    the strength changes, the finding is marked unstable and the verdict becomes inconclusive.

    When it fails: it only knows the artifacts it was trained on (upsampling decoders).  On the
    unseen ml72 generators (four diffusion models, one GAN) it is at chance (AUC 0.48).  Its real
    training photos were small web images, so full-resolution camera photos, which are smooth at
    the pixel level, can score high (5 of 50 ml72 real photos scored >= 0.9).  Heavy JPEG, strong
    downscaling, screenshots and legitimately upscaled images (a 2x upscale looks like a
    generator to it) also mislead it.  Treat it as one signal among others, never alone.  Measured numbers, including the unseen
    ml72 set, are in detectors/learned/README.md and weights/learned-v1.md.  CPU and CUDA
    results should agree to about 1e-4 in the raw logit (float32); CUDA was not tested.
    """

    id = "learned"
    version = "1.0.0"
    title = "Learned pixel detector (patch CNN)"
    media = frozenset({"image", "video"})
    cost = "expensive"
    kind = Kind.SIGNAL
    requires_modules = ("torch", "timm", "safetensors")
    weights = (WEIGHTS,)

    @classmethod
    def availability(cls) -> Availability:
        base = super().availability()
        return base if not base.ok else check_weights(default_weights_dir())

    def load(self) -> None:
        import torch
        from safetensors import safe_open
        from safetensors.torch import load_file

        from .calibrate import Calibration
        from .model import PatchNet

        status = check_weights(self.context.weights_dir)
        if not status.ok:
            raise RuntimeError(f"learned detector refuses its weights: {status.reason}")
        path = Path(self.context.weights_dir) / WEIGHTS
        import json

        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
        self.calibration = Calibration.from_dict(json.loads(meta["calibration"]))
        self.device = self.context.device if self.context.device == "cpu" or torch.cuda.is_available() else "cpu"
        model = PatchNet()
        model.load_state_dict(load_file(str(path)), strict=True)
        self.model = model.eval().to(self.device)

    def score(self, images: list[Any]) -> list[tuple[float, Any]]:
        """Calibrated score and raw ImageScore for each HxWx3 uint8 image (one batched pass)."""
        from .infer import score_images

        return [(self.calibration(s.raw), s) for s in score_images(self.model, images, self.device)]

    def run(self, media: "Media") -> list[Finding]:
        from synthcheck import stability

        if not hasattr(self, "model"):
            self.load()
        if media.kind == "video":
            images = [f.rgb for f in media.frames(max_frames=VIDEO_FRAMES)]
        else:
            images = [media.rgb]
        if not images:
            return [self.finding("No frames could be decoded for the learned detector.", strength=Strength.INFO)]
        scored = self.score(images)
        k = max(range(len(scored)), key=lambda i: scored[i][1].raw)
        raw = float(sum(s.raw for _, s in scored) / len(scored))
        score = self.calibration(raw)
        top = scored[k][1]
        order = sorted(range(len(top.logits)), key=lambda i: -top.logits[i])[:3]
        evidence: dict[str, Any] = {
            "raw_logit": round(raw, 4),
            "patches_used": sum(len(s.logits) for _, s in scored),
            "frames_used": len(images),
            "top_patches": [{"box": list(top.boxes[i]), "logit": round(top.logits[i], 3)} for i in order],
        }
        evidence.update(stability.check(score, {
            "jpeg_q85": lambda: self.video_score([stability.jpeg_reencode(im) for im in images]),
            "resize_0.9": lambda: self.video_score([stability.rescale(im) for im in images]),
            "jpeg_q85+resize_0.9": lambda: self.video_score([stability.rescale(stability.jpeg_reencode(im)) for im in images]),
        }))
        return [self.finding(self._explain(score, len(images)), strength=strength_for_score(score), score=score,
                             evidence=evidence, region=top.boxes[order[0]] if order else None,
                             title="Learned patch detector")]

    def video_score(self, images: list[Any]) -> float:
        """Calibrated score of the mean raw score over images (one image: its own score)."""
        scored = self.score(images)
        return self.calibration(sum(s.raw for _, s in scored) / len(scored))

    @staticmethod
    def _explain(score: float, frames: int) -> str:
        what = "this image" if frames == 1 else f"these {frames} video frames"
        lead = (f"A small neural network trained by synthcheck on simulated generator upsampling and "
                f"autoencoder artifacts scores {what} {score:.2f}")
        if score >= 0.9:
            return lead + "; fewer than 1% of the held-back real photos it was checked on score this high."
        if score >= 0.6:
            return lead + "; fewer than 5% of the held-back real photos it was checked on score this high."
        if score >= 0.3:
            return lead + "; a weak hint only, many real photos score this high."
        return lead + "; it found no generator traces (this does not show the image is a camera photo)."
