import numpy as np
import pytest

from synthcheck import stability

from .conftest import natural_image


def test_flip_near_a_cut_is_unstable_with_the_reason():
    calls = []

    def drop():
        calls.append(1)
        return 0.55  # moderate -> weak

    ev = stability.check(0.65, {"jpeg_q85": drop, "resize_0.9": lambda: 0.66})
    assert ev["unstable"] is True and "0.65 -> 0.55 after a JPEG quality 85 re-encode" in ev["unstable_reason"]
    assert ev["rescored"] == {"jpeg_q85": 0.55, "resize_0.9": 0.66} and calls == [1]


def test_no_flip_and_far_scores_are_not_flagged():
    assert "unstable" not in stability.check(0.65, {"jpeg_q85": lambda: 0.68})

    def never():
        raise AssertionError("scores far from a cut point are not re-checked")

    assert stability.check(0.4, {"jpeg_q85": never}) == {}
    assert stability.check(1.0, {"jpeg_q85": never}) == {}


def test_variant_too_small_is_skipped():
    def small():
        raise ValueError("too small")

    assert stability.check(0.88, {"resize_0.9": small}) == {"rescored": {}}


@pytest.mark.parametrize("score,near", [(0.82, True), (0.99, True), (0.52, True), (0.45, False), (0.2, False),
                                        (1.0, False)])
def test_near_cut(score, near):
    assert stability.near_cut(score) is near


def test_variants_change_the_pixels():
    img = natural_image(200, 200, seed=7)
    assert stability.rescale(img).shape == (180, 180, 3)
    jpg = stability.jpeg_reencode(img)
    assert jpg.shape == img.shape and not np.array_equal(jpg, img)
