import pytest
from PIL import Image

from synthcheck.limits import Limits, MediaError
from synthcheck.media import Media
from synthcheck.model import ErrorCode

from .conftest import natural_image


def test_open_hashes_and_decodes_once(make_png):
    import hashlib

    p = make_png(width=64, height=48)
    m = Media.open(p)
    assert m.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert (m.format, m.kind, m.width, m.height) == ("png", "image", 64, 48)
    assert m.rgb.shape == (48, 64, 3)
    assert m.rgb is m.rgb  # one decode, shared


def test_pixel_bomb_refused_before_decoding(tmp_path):
    p = tmp_path / "bomb.png"
    Image.new("L", (5000, 5000)).save(p, optimize=True)  # tiny file, 25 MP
    with pytest.raises(MediaError) as exc:
        Media.open(p, Limits(max_pixels=1_000_000))
    assert exc.value.code is ErrorCode.LIMIT_EXCEEDED


def test_byte_limit(make_png):
    with pytest.raises(MediaError) as exc:
        Media.open(make_png(), Limits(max_bytes=100))
    assert exc.value.code is ErrorCode.LIMIT_EXCEEDED


def test_truncated_image_is_typed(make_png, tmp_path):
    data = make_png(width=200, height=200).read_bytes()
    t = tmp_path / "t.png"
    t.write_bytes(data[: len(data) // 3])
    m = Media.open(t)
    with pytest.raises(MediaError) as exc:
        m.rgb
    assert exc.value.code is ErrorCode.TRUNCATED
    with pytest.raises(MediaError):  # the failure is cached, not retried
        m.rgb


def test_mislabelled_file_scanned_as_what_it_is(tmp_path):
    p = tmp_path / "photo.jpg"
    Image.fromarray(natural_image(32, 32)).save(p, format="PNG")
    m = Media.open(p)
    assert m.format == "png" and m.mislabelled


def test_empty_unsupported_and_missing(tmp_path):
    e = tmp_path / "e.jpg"
    e.write_bytes(b"")
    j = tmp_path / "j.png"
    j.write_bytes(b"not an image at all")
    codes = {}
    for p in (e, j, tmp_path / "missing.png"):
        with pytest.raises(MediaError) as exc:
            Media.open(p)
        codes[p.name] = exc.value.code
    assert codes == {"e.jpg": ErrorCode.TRUNCATED, "j.png": ErrorCode.UNSUPPORTED_FORMAT,
                     "missing.png": ErrorCode.IO_ERROR}


def test_animated_gif_is_video(tmp_path):
    p = tmp_path / "a.gif"
    frames = [Image.fromarray(natural_image(32, 32, seed=i)) for i in range(3)]
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100)
    m = Media.open(p)
    assert m.kind == "video" and m.n_frames == 3
    fr = m.frames(max_frames=2)
    assert [f.index for f in fr] == [0, 1] and fr[1].time == pytest.approx(0.1)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_structural_truncation_found_without_decoding(tmp_path, fmt):
    p = tmp_path / f"cut.{fmt.lower()}"
    Image.fromarray(natural_image(128, 128)).save(p, format=fmt)
    data = p.read_bytes()
    p.write_bytes(data[: int(len(data) * 0.8)])
    m = Media.open(p)
    assert [e.code for e in m.errors] == [ErrorCode.TRUNCATED]
    whole = tmp_path / f"whole.{fmt.lower()}"
    whole.write_bytes(data)
    assert Media.open(whole).errors == []


def test_identify_hashes_any_readable_file_and_refuses_the_rest(tmp_path):
    import hashlib
    import os

    from synthcheck.media import identify

    p = tmp_path / "x.bin"
    data = os.urandom(3 * (1 << 20) + 17)  # more than one read chunk
    p.write_bytes(data)
    kept = identify(p)
    assert (kept.sha256, kept.size, kept.data) == (hashlib.sha256(data).hexdigest(), len(data), data)
    streamed = identify(p, keep_bytes=1 << 20)  # too big to keep: hashed, not held
    assert streamed.sha256 == kept.sha256 and streamed.data is None and streamed.head == data[:len(streamed.head)]
    os.mkfifo(tmp_path / "fifo")
    for bad in (tmp_path / "fifo", tmp_path, tmp_path / "missing"):
        with pytest.raises(MediaError) as exc:
            identify(bad)
        assert exc.value.code is ErrorCode.IO_ERROR, bad


def test_over_the_byte_limit_is_refused_but_still_identified(make_png):
    from synthcheck.media import identify

    p = make_png()
    ident = identify(p, keep_bytes=100)
    with pytest.raises(MediaError) as exc:
        Media.from_identity(ident, Limits(max_bytes=100))
    assert exc.value.code is ErrorCode.LIMIT_EXCEEDED and ident.format == "png" and len(ident.sha256) == 64
