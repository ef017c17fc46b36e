"""synthcheck eval: metric code, normalisation, CSV parsing and an end-to-end run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthcheck.evaluate import (
    DETECTOR_CUTS,
    FUSED,
    REAL,
    SYNTHETIC,
    binary_metrics,
    compute,
    evaluate,
    items_from_dirs,
    load_csv,
    parse_label,
)
from synthcheck.model import FileError, FileResult, Finding, Kind, Label, Strength, Verdict
from synthcheck.normalize import get_preset, normalized


# -- metrics ----------------------------------------------------------------------------------
def test_auc_of_known_scores():
    # 3 synthetic, 3 real; of the 9 (pos, neg) pairs, 8 are ordered correctly -> AUC 8/9
    labels = [1, 1, 1, 0, 0, 0]
    scores = [0.95, 0.7, 0.2, 0.65, 0.1, 0.0]
    m = binary_metrics("x", "1", labels, scores, DETECTOR_CUTS)
    assert m.auc == pytest.approx(8 / 9)
    assert (m.n, m.n_synthetic, m.n_real) == (6, 3, 3)
    likely = {t.name: t for t in m.thresholds}["likely"]
    possibly = {t.name: t for t in m.thresholds}["possibly"]
    assert likely.tpr == pytest.approx(1 / 3) and likely.fpr == 0.0
    assert possibly.tpr == pytest.approx(2 / 3) and possibly.fpr == pytest.approx(1 / 3)
    assert m.accuracy == pytest.approx(4 / 6)  # at the likely cut: 1 TP + 3 TN
    # AP by hand: ranks 0.95(+) 0.7(+) 0.65(-) 0.2(+): precision at each positive 1, 1, 3/4
    assert m.average_precision == pytest.approx((1 + 1 + 0.75) / 3)


def test_one_class_gives_no_auc():
    m = binary_metrics("x", "1", [0, 0], [0.1, 0.95], DETECTOR_CUTS)
    assert m.auc is None and m.average_precision is None
    assert m.thresholds[0].fpr == 0.5 and m.thresholds[0].tpr is None


def _result(path: str, findings: list[Finding], label: Label = Label.NO_EVIDENCE, score: float | None = None,
            errors: tuple[FileError, ...] = ()) -> FileResult:
    return FileResult(path=path, sha256="0", size=1, media="image", format="png", findings=tuple(findings),
                      errors=errors, verdict=Verdict(label, score, "signals", "x"), elapsed_ms=1.0)


def _f(det: str, score: float | None) -> Finding:
    return Finding(det, "1", Kind.SIGNAL, Strength.INFO, "x", score=score)


def test_compute_with_stub_detector_table():
    from synthcheck.model import ErrorCode

    results = [
        _result("a", [_f("stub", 0.95), _f("stub", 0.2)], Label.LIKELY, 0.95),  # max score is used
        _result("b", [_f("stub", 0.7)], Label.POSSIBLY, 0.7),
        _result("c", [_f("other", 0.5)], Label.NO_EVIDENCE, 0.5),  # stub gave nothing: 0, "no score"
        _result("d", [], Label.ERROR, None, (FileError(ErrorCode.DECODE_ERROR, "bad"),)),
        _result("e", [], Label.INCONCLUSIVE, None, (FileError(ErrorCode.DETECTOR_ERROR, "boom", "stub"),)),
    ]
    labels = [SYNTHETIC, SYNTHETIC, REAL, REAL, REAL]
    per, fused, files = compute(results, labels, {"stub": "1", "other": "1"})
    stub = per[0]
    assert stub.name == "stub" and stub.n == 3 and stub.errors == 2 and stub.no_score == 1
    assert stub.auc == 1.0
    assert files[0].scores["stub"] == 0.95 and files[2].scores["stub"] is None
    other = per[1]
    assert other.n == 4 and other.no_score == 3 and other.errors == 1  # only the unreadable file
    assert other.auc is not None
    per, _, _ = compute(results, labels, {"silent": "1"})  # never scored anything
    assert per[0].no_score == 4 and per[0].auc is None and per[0].average_precision is None
    assert fused.name == FUSED and fused.n == 4 and fused.errors == 1
    cuts = {t.name: t for t in fused.thresholds}
    assert cuts["likely"].tpr == 0.5 and cuts["possibly"].tpr == 1.0
    assert cuts["possibly"].fpr == 0.0


# -- labels and CSV -----------------------------------------------------------------------------
def test_parse_label():
    assert parse_label("Real") == REAL and parse_label("0") == REAL
    assert parse_label(" synthetic") == SYNTHETIC and parse_label("1") == SYNTHETIC
    with pytest.raises(ValueError):
        parse_label("fake-ish")


def test_load_csv(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    csv = tmp_path / "sub" / "set.csv"
    csv.write_text("path,label\n# a comment\na.png,real\n/abs/b.jpg,1\n\nc.png,synthetic\n")
    items = load_csv(csv)
    assert items == [(str(tmp_path / "sub" / "a.png"), REAL), ("/abs/b.jpg", SYNTHETIC),
                     (str(tmp_path / "sub" / "c.png"), SYNTHETIC)]
    bad = tmp_path / "bad.csv"
    bad.write_text("a.png,maybe\n")
    with pytest.raises(ValueError, match="bad.csv:1"):
        load_csv(bad)


# -- normalisation ------------------------------------------------------------------------------
def _noise_image(path: Path, w: int, h: int, fmt: str, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path, fmt)


def test_normalisation_makes_equal_jpegs_in_a_temp_dir(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    _noise_image(src / "big.png", 700, 600, "PNG")
    _noise_image(src / "small.jpg", 300, 200, "JPEG", 1)  # smaller than the crop: upscaled
    (src / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0not really")
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    paths = [str(src / n) for n in ("big.png", "small.jpg", "broken.jpg")]
    with normalized(paths, "crop512-jpeg90") as (out, stats):
        tmpdir = Path(out[0]).parent
        assert tmpdir != src and not str(tmpdir).startswith(str(src))
        for p in out[:2]:
            with Image.open(p) as im:
                assert im.format == "JPEG" and im.size == (512, 512)
        assert out[2] == paths[2]  # undecodable: scanned as it is, so the scan reports it
        assert (stats.normalised, stats.upscaled, stats.passed_through) == (2, 1, 1)
    assert not tmpdir.exists()
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before


def test_large_images_are_cropped_not_resampled(tmp_path: Path):
    rng = np.random.default_rng(3)
    arr = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "a.png")
    with normalized([str(tmp_path / "a.png")], "crop256-png") as (out, _):
        got = np.asarray(Image.open(out[0]))
    assert np.array_equal(got, arr[22:278, 72:328])
    with normalized([str(tmp_path / "a.png")], "none") as (out, stats):
        assert out == [str(tmp_path / "a.png")] and stats.normalised == 0
    with pytest.raises(ValueError):
        get_preset("crop12-jpeg90")


# -- end to end ---------------------------------------------------------------------------------
def _upsampled(path: Path, seed: int) -> None:
    """Zero insertion + a checkerboarding kernel, like an untrained transposed convolution."""
    from scipy.signal import fftconvolve

    rng = np.random.default_rng(seed)
    small = rng.normal(128, 40, (40, 40))
    z = np.zeros((320, 320))
    z[::8, ::8] = small
    t = np.concatenate([np.arange(1, 9), np.arange(8, 0, -1)]).astype(float)
    kern = np.outer(t, t) * (1 + 0.35 * rng.standard_normal((16, 16)))
    out = fftconvolve(z, kern / kern.sum() * 64, mode="same")
    g = np.clip(out, 0, 255).astype(np.uint8)
    Image.fromarray(np.stack([g] * 3, -1)).save(path, "PNG")


def _natural(path: Path, seed: int) -> None:
    """1/f noise: a stand-in for a photograph's spectrum without any periodic structure."""
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(320)
    amp = 1 / np.maximum(np.hypot(f[:, None], f[None, :]), 1 / 320)
    field = np.real(np.fft.ifft2(amp * np.exp(2j * np.pi * rng.random((320, 320)))))
    g = (field - field.mean()) / field.std() * 40 + 128 + rng.normal(0, 3, field.shape)
    Image.fromarray(np.stack([np.clip(g, 0, 255).astype(np.uint8)] * 3, -1)).save(path, "PNG")


@pytest.mark.slow
def test_evaluate_end_to_end_with_frequency(tmp_path: Path):
    (tmp_path / "real").mkdir()
    (tmp_path / "ai").mkdir()
    for i in range(3):
        _natural(tmp_path / "real" / f"{i}.png", i)
        _upsampled(tmp_path / "ai" / f"{i}.png", 10 + i)
    (tmp_path / "ai" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    items = items_from_dirs([str(tmp_path / "real")], [str(tmp_path / "ai")])
    report = evaluate(items, detectors=["frequency"], workers=1, device="cpu", sources=["test"])
    freq = report.per_detector[0]
    assert freq.name == "frequency" and report.detectors == {"frequency": "1.1.0"}
    assert freq.auc == 1.0 and freq.errors == 1 and report.errors == 1
    assert report.dataset.n_real == 3 and report.dataset.n_synthetic == 4
    assert report.fused.n == 6
    from synthcheck.formatters import eval_json, eval_text

    buf = io.StringIO()
    eval_json.render(report, buf)
    data = json.loads(buf.getvalue())
    assert data["per_detector"][0]["auc"] == 1.0 and data["dataset"]["normalization"]["preset"] == "none"
    assert len(data["files"]) == 7
    text = io.StringIO()
    eval_text.render(report, text)
    assert "frequency 1.1.0" in text.getvalue() and "fused verdict" in text.getvalue()


def test_evaluate_usage_errors():
    with pytest.raises(ValueError):
        evaluate([])
    with pytest.raises(KeyError):
        evaluate([("x.png", 1)], detectors=["no-such-detector"])


def test_cli_exit_codes(tmp_path: Path):
    import typer
    from typer.testing import CliRunner

    from synthcheck.cli_eval import eval_command

    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("noop")(lambda: None)  # keep "eval" a subcommand
    runner = CliRunner()
    assert runner.invoke(app, ["eval"]).exit_code == 2  # no data
    (tmp_path / "r").mkdir()
    _natural(tmp_path / "r" / "a.png", 0)
    res = runner.invoke(app, ["eval", "--real", str(tmp_path / "r"), "-d", "nope"])
    assert res.exit_code == 2
    assert runner.invoke(app, ["eval", "--real", str(tmp_path / "r"), "--normalize", "bogus"]).exit_code == 2


@pytest.mark.slow
def test_cli_writes_json(tmp_path: Path):
    import typer
    from typer.testing import CliRunner

    from synthcheck.cli_eval import eval_command

    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("noop")(lambda: None)
    for d in ("r", "s"):
        (tmp_path / d).mkdir()
    _natural(tmp_path / "r" / "a.png", 1)
    _upsampled(tmp_path / "s" / "b.png", 2)
    out = tmp_path / "eval.json"
    res = CliRunner().invoke(app, ["eval", "--real", str(tmp_path / "r"), "--synthetic", str(tmp_path / "s"),
                                   "-d", "frequency", "--workers", "1", "--device", "cpu",
                                   "--normalize", "crop256-jpeg90", "--json", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["dataset"]["normalization"]["preset"] == "crop256-jpeg90"
    assert data["dataset"]["normalization"]["normalised"] == 2
    assert data["detectors"] == {"frequency": "1.1.0"}
    assert [f["path"] for f in data["files"]] == [str(tmp_path / "r" / "a.png"), str(tmp_path / "s" / "b.png")]
    assert "frequency 1.1.0" in res.output


# -- grouped results (--group-by) ---------------------------------------------------------------
def test_group_of_each_grouping(tmp_path: Path):
    from synthcheck.evaluate import group_of

    root = tmp_path / "gen"
    (root / "flux" / "sub").mkdir(parents=True)
    f = str(root / "flux" / "sub" / "a.png")
    assert group_of(f, str(root), "generator") == "flux"
    assert group_of(str(root / "b.png"), str(root), "generator") == "gen"  # directly in the root
    assert group_of(f, str(root), "source") == str(root)
    assert group_of(f, str(root), "folder") == "sub"
    assert group_of(f, "list.csv", "generator", "sdxl") == "sdxl"  # a CSV's third column wins
    with pytest.raises(ValueError):
        group_of(f, str(root), "colour")


def test_csv_groups_third_column(tmp_path: Path):
    from synthcheck.evaluate import csv_groups

    c = tmp_path / "l.csv"
    c.write_text("path,label,group\na.png,1,flux\nb.png,0\n/x/c.png,0,camera\n")
    assert csv_groups(c) == {str(tmp_path / "a.png"): "flux", "/x/c.png": "camera"}
    assert load_csv(c)[0] == (str(tmp_path / "a.png"), SYNTHETIC)


def test_group_table_per_group_auc_mean_worst_and_inverted():
    from synthcheck.evaluate import group_table

    # real photos: 0.1, 0.2, 0.95 (one false likely of 3); "good" beats every real photo but
    # 0.95 in one pair of 6, "bad" is ranked below every real photo except one
    labels = [0, 0, 0, 1, 1, 1, 1]
    scores = [0.1, 0.2, 0.95, 0.99, 0.9, 0.05, 0.15]
    groups = ["web", "web", "cam", "good", "good", "bad", "bad"]
    t = group_table("x", labels, scores, groups, 0.9)
    rows = {(r.group, r.label): r for r in t.rows}
    assert rows["good", 1].auc == pytest.approx(5 / 6) and rows["good", 1].likely_rate == 1.0
    assert rows["bad", 1].auc == pytest.approx(1 / 6) and rows["bad", 1].likely_rate == 0.0
    # real groups: every synthetic file against that group's photos
    assert rows["cam", 0].auc == pytest.approx(1 / 4) and rows["cam", 0].likely_rate == 1.0
    assert rows["web", 0].auc == pytest.approx(5 / 8) and rows["web", 0].likely_rate == 0.0
    assert (rows["good", 1].n, rows["web", 0].n) == (2, 2)
    assert t.worst_auc == pytest.approx(1 / 6) and t.worst_group == "bad"
    assert t.mean_auc == pytest.approx((5 / 6 + 1 / 6 + 1 / 4 + 5 / 8) / 4)
    assert t.mean_tpr == 0.5 and t.worst_tpr == 0.0 and t.max_false_likely == 1.0
    assert t.inverted == ("bad", "cam")


def test_group_tables_skip_silent_detectors_and_errors():
    from synthcheck.evaluate import group_tables

    results = [_result("a", [_f("stub", 0.95)], Label.LIKELY, 0.95), _result("b", [_f("stub", 0.1)]),
               _result("c", [], Label.ERROR, None)]
    tables = group_tables(results, [SYNTHETIC, REAL, REAL], ["g", "r", "r"], {"stub": "1", "silent": "1"})
    assert [t.scorer for t in tables] == [FUSED, "stub"]
    assert tables[1].rows[0].auc == 1.0 and tables[1].rows[1].n == 1  # the unreadable file is left out


def test_cli_group_by_bad_value_is_usage_error(tmp_path: Path):
    import typer
    from typer.testing import CliRunner

    from synthcheck.cli_eval import eval_command

    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("noop")(lambda: None)
    (tmp_path / "r").mkdir()
    _natural(tmp_path / "r" / "a.png", 0)
    res = CliRunner().invoke(app, ["eval", "--real", str(tmp_path / "r"), "--group-by", "colour"])
    assert res.exit_code == 2 and "group-by" in res.output


@pytest.mark.slow
def test_cli_group_by_generator_prints_per_group_auc(tmp_path: Path):
    import typer
    from typer.testing import CliRunner

    from synthcheck.cli_eval import eval_command

    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("noop")(lambda: None)
    for d in ("real/cam", "gen/tconv", "gen/other"):
        (tmp_path / d).mkdir(parents=True)
    for i in range(2):
        _natural(tmp_path / "real" / "cam" / f"{i}.png", i)
        _upsampled(tmp_path / "gen" / "tconv" / f"{i}.png", 20 + i)
    _natural(tmp_path / "gen" / "other" / "n.png", 7)  # "synthetic" but photo-like: chance or worse
    out = tmp_path / "g.json"
    res = CliRunner().invoke(app, ["eval", "--real", str(tmp_path / "real"), "--synthetic", str(tmp_path / "gen"),
                                   "-d", "frequency", "--group-by", "generator", "--json", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["group_by"] == "generator"
    freq = {t["scorer"]: t for t in data["groups"]}["frequency"]
    rows = {r["group"]: r for r in freq["rows"]}
    assert set(rows) == {"cam", "tconv", "other"} and rows["tconv"]["n"] == 2
    assert rows["tconv"]["auc"] == 1.0
    assert freq["worst_group"] in ("other", "cam") and freq["worst_auc"] < 1.0
    assert "WORST" in res.output and "tconv" in res.output
