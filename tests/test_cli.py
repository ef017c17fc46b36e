"""The CLI through Typer's runner: exit codes, formats, input selection, and lazy imports."""

import json
import subprocess
import sys

import pytest
from PIL import Image
from typer.testing import CliRunner

from synthcheck.cli import app

from .conftest import natural_image

ECHO = ["--plugin", "tests.fakes:EchoDetector", "--detectors", "echo", "--workers", "1", "--quiet"]
runner = CliRunner()


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("a.png", "b_likely.png", "c.jpg"):
        Image.fromarray(natural_image(32, 32)).save(d / name)
    return d


def invoke(*args, **kw):
    return runner.invoke(app, [str(a) for a in args], **kw)


def test_exit_codes_follow_fail_on(folder):
    assert invoke("scan", folder / "a.png", *ECHO, "-f", "json").exit_code == 0
    assert invoke("scan", folder, *ECHO, "-f", "json").exit_code == 1  # b_likely is likely-synthetic
    assert invoke("scan", folder, *ECHO, "-f", "json", "--exit-zero").exit_code == 0
    assert invoke("scan", folder, *ECHO, "-f", "json", "--fail-on", "ai-generated").exit_code == 0
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10)
    assert invoke("scan", folder, *ECHO, "-f", "json", "--exit-zero").exit_code == 2  # errors are never hidden


def test_usage_errors_exit_2(folder):
    assert invoke("scan", folder, "--detectors", "no-such-detector").exit_code == 2
    assert invoke("scan", folder / "missing-dir-xyz", *ECHO, "--include", "*.none").exit_code == 2
    assert invoke("explain", "no-such-detector").exit_code == 2
    assert invoke("scan", folder, *ECHO, "-f", "yaml").exit_code == 2


def test_json_output_file_include_exclude_and_env_format(folder, tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    r = invoke("scan", folder, *ECHO, "--include", "*.png", "--exclude", "b_*", "-o", out)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert [res["path"].rsplit("/", 1)[1] for res in doc["results"]] == ["a.png"]
    assert doc["run"]["detectors"] == {"echo": "0.1"}
    monkeypatch.setenv("SYNTHCHECK_FORMAT", "jsonl")
    r = invoke("scan", folder, *ECHO, "--exit-zero")
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) == 3 and all("verdict" in rec for rec in lines)


def test_paths_from_stdin(folder):
    paths = "\n".join(str(p) for p in sorted(folder.iterdir())) + "\n"
    r = invoke("scan", "-", *ECHO, "-f", "jsonl", "--exit-zero", input=paths)
    assert r.exit_code == 0, r.output
    assert len([ln for ln in r.stdout.splitlines() if ln.strip()]) == 3


def test_config_file(folder, tmp_path):
    cfg = tmp_path / "synthcheck.toml"
    cfg.write_text('format = "csv"\nfail_on = "ai-generated"\n[limits]\nmax_pixels = 100\n')
    r = invoke("scan", folder / "a.png", *ECHO, "--config", cfg)
    assert r.exit_code == 2 and "limit_exceeded" in r.stdout  # 32x32 is over 100 pixels
    cfg.write_text('colour = "blue"\n')
    assert invoke("scan", folder, *ECHO, "--config", cfg).exit_code == 2


def test_detectors_explain_and_version():
    r = invoke("detectors", "--json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)["detectors"]
    assert {"id", "version", "media", "cost", "available", "reason", "fix"} <= set(rows[0])
    r = invoke("version", "--json")
    data = json.loads(r.stdout)
    assert data["synthcheck"] and "detectors" in data and "weights" in data and "cuda_available" in data
    assert invoke("--version").stdout.startswith("synthcheck ")


def test_explain_prints_each_detectors_docstring():
    rows = json.loads(invoke("detectors", "--json").stdout)["detectors"]
    for row in rows:
        if row["version"] is None:
            continue
        r = invoke("explain", row["id"])
        assert r.exit_code == 0 and row["id"] in r.stdout and len(r.stdout) > 200, row["id"]


@pytest.mark.parametrize("argv", [["--help"], ["detectors"], ["detectors", "--json"], ["scan", "--help"]])
def test_light_commands_do_not_import_torch(argv):
    code = ("import sys\nfrom synthcheck.cli import app\n"
            f"try:\n    app({argv!r})\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'cv2', 'c2pa', 'mediapipe', 'timm') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_native_noise_from_workers_does_not_reach_the_terminal(tmp_path):
    img = tmp_path / "noisy.png"
    Image.fromarray(natural_image(16, 16)).save(img)
    cmd = [sys.executable, "-m", "synthcheck.cli", "scan", str(img), *ECHO, "-f", "json"]
    quiet = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and "NATIVE-NOISE" not in quiet.stderr + quiet.stdout
    import os

    loud = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SYNTHCHECK_DEBUG": "1"})
    assert "NATIVE-NOISE" in loud.stderr
