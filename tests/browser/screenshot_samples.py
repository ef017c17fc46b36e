"""Remake docs/html-report.png, the README's picture of the HTML report: scan samples/, open it headless.

    .venv/bin/python -m tests.browser.screenshot_samples

The scan runs with the default detectors and ``--artifacts-dir`` (so the spectrum shows) into a
temporary folder; the picture is the summary and the first file, reduced to a palette PNG so it
stays small (< 300 KB) in the repository.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from .cdp import Browser, find_chromium

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "html-report.png"


def main() -> int:
    exe = find_chromium()
    if exe is None:
        print("chromium is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        page = t / "samples.html"
        subprocess.run([str(REPO / ".venv" / "bin" / "synthcheck"), "scan", "samples", "--exclude", "*.md",
                        "--exclude", "*.py", "--workers", "1", "--quiet", "--no-host", "--artifacts-dir",
                        str(t / "art"), "-o", str(page)], cwd=REPO, check=False)
        b = Browser(exe, t / "profile", width=1000, height=1500)
        try:
            b.open(page.as_uri())
            shot = t / "shot.png"
            b.screenshot(shot)
        finally:
            b.close()
        im = Image.open(shot).convert("RGB")
        im = im.resize((im.width * 4 // 5, im.height * 4 // 5), Image.LANCZOS)
        im.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(OUT, optimize=True)
    print(f"{OUT}: {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
