"""A report never lands on an input, and an interrupted write never leaves half a report."""

import hashlib
import os
import stat

import pytest
from PIL import Image

from synthcheck.cli import main
from synthcheck.output import OutputError, atomic_text, check_artifacts_dir, check_output

from .conftest import natural_image

ECHO = ["--plugin", "tests.fakes:EchoDetector", "--detectors", "echo", "--workers", "1", "--quiet"]


@pytest.fixture
def evidence(tmp_path):
    d = tmp_path / "case"
    d.mkdir()
    victim = d / "victim.jpg"
    Image.fromarray(natural_image(48, 48)).save(victim, quality=90)
    return victim


def digest(p) -> str:
    return hashlib.sha256(open(p, "rb").read()).hexdigest()


def test_output_equal_to_an_input_is_refused_by_path_symlink_and_hard_link(evidence, tmp_path):
    inputs = [str(evidence)]
    with pytest.raises(OutputError, match="being scanned"):
        check_output(evidence, inputs)
    with pytest.raises(OutputError):
        check_output(evidence.parent / ".." / "case" / "victim.jpg", inputs)  # another spelling
    link = tmp_path / "link.jpg"
    link.symlink_to(evidence)
    with pytest.raises(OutputError):
        check_output(link, inputs)
    hard = tmp_path / "hard.jpg"
    os.link(evidence, hard)
    with pytest.raises(OutputError):
        check_output(hard, inputs)  # a hard link shares the inode: writing it rewrites the evidence


def test_new_output_file_and_unrelated_file_are_allowed(evidence, tmp_path):
    check_output(evidence.parent / "report.json", [str(evidence)])
    (tmp_path / "old.json").write_text("{}")
    check_output(tmp_path / "old.json", [str(evidence)])


def test_output_folder_or_missing_parent_is_refused(evidence, tmp_path):
    with pytest.raises(OutputError, match="folder"):
        check_output(tmp_path, [str(evidence)])
    with pytest.raises(OutputError, match="does not exist"):
        check_output(tmp_path / "nope" / "r.json", [str(evidence)])


def test_cli_refuses_to_write_over_the_input_and_leaves_it_untouched(evidence, capsys):
    before = digest(evidence)
    with pytest.raises(SystemExit) as done:
        main(["scan", str(evidence), *ECHO, "-o", str(evidence)])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "refusing to write over evidence" in err and err.count("\n") == 1
    assert digest(evidence) == before


def test_cli_refuses_an_output_that_is_in_the_scanned_folders_file_set(evidence):
    old_report = evidence.parent / "report.json"
    old_report.write_text('{"old": true}')
    with pytest.raises(SystemExit) as done:
        main(["scan", str(evidence.parent), *ECHO, "-o", str(old_report)])
    assert done.value.code == 2 and old_report.read_text() == '{"old": true}'


def test_cli_writes_a_new_report_inside_the_scanned_folder_without_scanning_it(evidence):
    import json

    out = evidence.parent / "report.json"
    with pytest.raises(SystemExit) as done:
        main(["scan", str(evidence.parent), *ECHO, "-o", str(out)])
    assert done.value.code == 0
    doc = json.loads(out.read_text())
    assert [r["path"] for r in doc["results"]] == [str(evidence)]
    assert sorted(p.name for p in evidence.parent.iterdir()) == ["report.json", "victim.jpg"]  # no temp left


def test_atomic_write_keeps_the_old_report_when_interrupted(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old report")
    with pytest.raises(KeyboardInterrupt):
        with atomic_text(out) as fh:
            fh.write("half a new rep")
            raise KeyboardInterrupt
    assert out.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_atomic_write_replaces_whole_with_ordinary_permissions(tmp_path):
    out = tmp_path / "report.json"
    with atomic_text(out) as fh:
        fh.write("new")
    assert out.read_text() == "new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_artifacts_dir_must_not_hold_evidence(evidence, tmp_path):
    with pytest.raises(OutputError, match="artifacts-dir"):
        check_artifacts_dir(evidence.parent, [str(evidence)])
    check_artifacts_dir(tmp_path / "artifacts", [str(evidence)])
    with pytest.raises(SystemExit) as done:
        main(["scan", str(evidence), *ECHO, "--artifacts-dir", str(evidence.parent)])
    assert done.value.code == 2
