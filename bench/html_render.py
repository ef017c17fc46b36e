"""What the HTML report costs beside the scan it renders: scan a folder, then render its results.

    .venv/bin/python bench/html_render.py [FOLDER ...] [--workers N]   (default: samples/)

Prints the scan's wall time, the rendering time (previews read from disk included) and the share,
and the page's bytes per file.  The issue's target: rendering under 10% of the scan time.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time

from synthcheck import formatters
from synthcheck.api import prepare
from synthcheck.discover import iter_files
from synthcheck.info import detector_docs
from synthcheck.settings import resolve


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=["samples"])
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as art:
        settings = resolve({"format": "html", "workers": args.workers, "artifacts_dir": art, "quiet": True})
        files = list(iter_files(args.paths, ("*.jpg", "*.jpeg", "*.png", "*.webp", "*.mp4", "*.gif"), ()))
        scan = prepare(settings)
        t = time.perf_counter()
        results = [r for _, r in scan.results(files)]
        run = scan.finish()
        scan_s = time.perf_counter() - t
        out = io.StringIO()
        fmt = formatters.get("html")(out, run, detector_docs([]), settings=settings)
        t = time.perf_counter()
        fmt.start()
        for r in results:
            fmt.add(r)
        fmt.finish(run)
        render_s = time.perf_counter() - t
    size = len(out.getvalue().encode())
    print(f"{len(results)} files: scan {scan_s:.2f} s (workers={args.workers}), render {render_s:.3f} s "
          f"({100 * render_s / scan_s:.1f}% of the scan); page {size / 1e3:.0f} KB, "
          f"{size / len(results) / 1e3:.1f} KB/file")


if __name__ == "__main__":
    main()
