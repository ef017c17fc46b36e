"""Options are resolved once, validated with types and ranges, and the run record is built from them."""

import dataclasses
import re
import socket
from pathlib import Path

import pytest
from PIL import Image

from synthcheck.cli import main
from synthcheck.limits import Limits
from synthcheck.settings import KEYS, ScanSettings, SettingsError, config_reference, resolve

from .conftest import natural_image

REPO = Path(__file__).resolve().parents[1]
ECHO = ["--plugin", "tests.fakes:EchoDetector", "--detectors", "echo", "--workers", "1", "--quiet"]


def toml(tmp_path, text: str) -> Path:
    p = tmp_path / "synthcheck.toml"
    p.write_text(text)
    return p


def test_defaults_are_the_documented_ones():
    s = resolve({})
    assert s.limits == Limits() and s.format == "text" and s.fail_on == "likely" and s.device == "auto"
    assert s.rivagan is False and s.record_host is True and s.metadata_reader == "auto" and s.workers >= 1


def test_settings_are_frozen():
    s = resolve({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.workers = 3  # type: ignore[misc]


def test_command_line_beats_config_and_not_given_is_not_false(tmp_path):
    cfg = toml(tmp_path, "workers = 3\n[watermark]\nrivagan = true\n[report]\nhost = false\n")
    assert resolve({}, cfg).rivagan is True  # not given on the command line: the file decides
    assert resolve({"rivagan": False}, cfg).rivagan is False  # --no-rivagan beats rivagan = true
    assert resolve({"workers": 1}, cfg).workers == 1 and resolve({}, cfg).workers == 3
    assert resolve({}, cfg).record_host is False and resolve({"record_host": True}, cfg).record_host is True


@pytest.mark.parametrize("text, key", [
    ('workers = "two"\n', "workers"),
    ("workers = 0\n", "workers"),
    ("workers = true\n", "workers"),
    ('[limits]\ntimeout_s = "x"\n', "limits.timeout_s"),
    ("[limits]\ntimeout_s = 0\n", "limits.timeout_s"),
    ("[limits]\nmax_bytes = -1\n", "limits.max_bytes"),
    ('[metadata]\nreader = "bogus"\n', "metadata.reader"),
    ('format = "yaml"\n', "format"),
    ('fail_on = "sometimes"\n', "fail_on"),
    ('plugins = ["not a spec"]\n', "plugins"),
    ("[video]\nfps = 1000\n", "video.fps"),
    ('limits = 5\n', "limits"),
    ("[limits]\nmax_byte = 3\n", "limits.max_byte"),
    ("colour = true\n", "colour"),
    ('[c2pa]\ntrust_anchors = "no-such.pem"\n', "c2pa.trust_anchors"),
])
def test_bad_config_values_name_the_key(tmp_path, text, key):
    cfg = toml(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        resolve({}, cfg)
    msg = str(err.value)
    assert key in msg and "\n" not in msg


@pytest.mark.parametrize("cli, flag", [
    ({"timeout_s": 0.0}, "--timeout"), ({"max_pixels": 0}, "--max-pixels"), ({"workers": 0}, "--workers"),
    ({"metadata_reader": "bogus"}, "--metadata-reader"), ({"fps": -1.0}, "--fps"),
    ({"c2pa_trust_anchors": "/no/such/anchors.pem"}, "--c2pa-trust-anchors"),
])
def test_bad_command_line_values_name_the_flag(cli, flag):
    with pytest.raises(SettingsError, match=re.escape(flag)):
        resolve(cli)


def test_config_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    (tmp_path / "anchors.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    cfg = toml(tmp_path, '[c2pa]\ntrust_anchors = "anchors.pem"\n')
    monkeypatch.chdir("/")
    assert resolve({}, cfg).c2pa_trust_anchors == str(tmp_path / "anchors.pem")


def test_format_follows_the_output_extension_unless_given():
    assert resolve({"output": "r.sarif"}).format == "sarif"
    assert resolve({"output": "r.txt"}).format == "text"
    assert resolve({"output": "r.sarif", "format": "json"}).format == "json"


def test_detector_options_carry_only_what_was_set():
    s = resolve({"fps": 5.0, "metadata_reader": "python", "max_frames": 40})
    opts = s.detector_options()
    assert opts["temporal.fps"] == 5.0 and opts["metadata.reader"] == "python" and opts["temporal.max_frames"] == 40
    assert "temporal.max_frames" not in resolve({}).detector_options()  # the detector keeps its own default


def test_run_record_is_built_from_the_settings_alone():
    from synthcheck.api import prepare
    from tests.fakes import EchoDetector

    s = resolve({"detectors": ["echo"], "workers": 1, "fail_on": "possibly", "include": ["*.png"],
                 "timeout_s": 12.0, "record_host": False})
    scan = prepare(s, extra=[EchoDetector])
    opts = scan.run.options
    assert opts["fail_on"] == "possibly" and opts["include"] == ["*.png"] and opts["limits"]["timeout_s"] == 12.0
    assert opts["plugins"] == ["tests.fakes:EchoDetector"] and opts["device"] == "cpu"
    assert scan.run.host is None  # --no-host
    assert prepare(resolve({"detectors": ["echo"]}), extra=[EchoDetector]).run.host == socket.gethostname()


def test_run_record_names_the_libraries_that_decide_results():
    from synthcheck.api import prepare
    from tests.fakes import EchoDetector

    libs = prepare(resolve({"detectors": ["echo"]}), extra=[EchoDetector]).run.libraries
    for key in ("c2pa-sdk", "c2pa-python", "mediapipe", "opencv", "pillow", "av", "ffmpeg", "exiftool", "torch"):
        assert key in libs
    assert libs["pillow"] and libs["torch"] and libs["opencv"] and libs["av"]  # installed by make setup


def test_prepare_refuses_settings_and_keywords_together():
    from synthcheck.api import prepare

    with pytest.raises(TypeError):
        prepare(ScanSettings(), workers=2)


def test_config_reference_in_docs_lists_every_key():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "docs/gen_config.py", "--check"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = (REPO / "docs" / "config.md").read_text()
    assert config_reference() in doc
    for key in KEYS:
        assert f"`{key.config}`" in doc and f"`{key.flag}`" in doc


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    Image.fromarray(natural_image(32, 32)).save(d / "a.png")
    return d


@pytest.mark.parametrize("args, needle", [
    (["--workers", "two"], "--workers"),
    (["--timeout", "x"], "--timeout"),
    (["--timeout", "0"], "--timeout"),
    (["--metadata-reader", "bogus"], "--metadata-reader"),
    (["--detectors", "no-such-detector"], "no-such-detector"),
    (["--bogus-flag"], "--bogus-flag"),
])
def test_cli_usage_errors_are_one_line_and_exit_2(folder, capsys, args, needle):
    with pytest.raises(SystemExit) as done:
        main(["scan", str(folder), *args])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err, err


def test_cli_config_errors_are_one_line_and_exit_2(folder, tmp_path, capsys):
    cfg = toml(tmp_path, "[limits]\nmax_byte = 3\n")
    with pytest.raises(SystemExit) as done:
        main(["scan", str(folder), *ECHO, "--config", str(cfg)])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1 and "limits.max_byte" in err


def test_cli_no_host_leaves_the_host_out(folder, capsys):
    import json

    with pytest.raises(SystemExit) as done:
        main(["scan", str(folder), *ECHO, "-f", "json", "--no-host"])
    assert done.value.code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["run"]["host"] is None and socket.gethostname() not in json.dumps(doc["run"])
