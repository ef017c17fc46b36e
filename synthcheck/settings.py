"""Scan options, resolved once into one frozen, validated object (in the spirit of detect-secrets' ``Settings``).

Why one object: a forensic report must say exactly which options produced it, so the run record
is built from this object and nothing patches it afterwards; and every value is checked here,
with its type and range, so a typo in a config file ends the run with a one-line error naming the
key instead of a traceback or, worse, a silently disabled limit.

Precedence is command line, then config file, then default.  A value the command line did not give
is ``None``, which is distinct from ``False``: ``--no-rivagan`` beats ``rivagan = true``.  Every key
is listed, with its type, range and default, in docs/config.md (a test keeps the two in step).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from .checks import (
    LIST_KIND,
    SettingsError,
    boolean,
    existing_file,
    folder,
    globs,
    int_in,
    match_lists,
    number_above,
    one_of,
    one_string,
    plugin_specs,
    strings,
    trust_choice,
)
from .limits import Limits

FORMATS = ("text", "json", "jsonl", "csv", "sarif", "html")
FAIL_ON = ("ai-generated", "likely", "possibly", "inconclusive")
DEVICES = ("auto", "cpu", "cuda")
METADATA_READERS = ("auto", "exiftool", "python")
RESUME_MODES = ("off", "path", "hash")
ENGINES = ("local", "ray")
MAX_WORKERS = 256


@dataclass(frozen=True)
class Key:
    """One option: its field name, config key (dotted for TOML tables), command-line flag and check."""

    name: str
    config: str | None
    flag: str | None
    check: Callable[[Any, str], Any]
    default: Any
    doc: str
    path: bool = False  # a path: relative values in a config file are relative to that file


_LIMITS = Limits()
KEYS: tuple[Key, ...] = (
    Key("format", "format", "--format", one_of(FORMATS), None,
        "Output format; default: from --output's extension, else text."),
    Key("include", "include", "--include", globs, (), "Only files whose name or path matches one of these globs."),
    Key("exclude", "exclude", "--exclude", globs, (), "Skip files whose name or path matches one of these globs."),
    Key("detectors", "detectors", "--detectors", strings, (), "Only these detector ids (default: all available)."),
    Key("skip", "skip", "--skip", strings, (), "Detector ids not to run."),
    Key("device", "device", "--device", one_of(DEVICES), "auto", "auto (CUDA when present), cpu or cuda."),
    Key("workers", "workers", "--workers", int_in(1, MAX_WORKERS), None,
        f"Worker processes, 1 to {MAX_WORKERS}; default: the number of cores."),
    Key("plugins", "plugins", "--plugin", plugin_specs, (), "Extra detector classes, MODULE:CLASS, importable here."),
    Key("quiet", "quiet", "--quiet", boolean, False,
        "No progress bar or warnings; text lists only files with evidence."),
    Key("fail_on", "fail_on", "--fail-on", one_of(FAIL_ON), "likely", "Lowest verdict that makes the exit code 1."),
    Key("exit_zero", "exit_zero", "--exit-zero", boolean, False,
        "Exit 0 even when files reach fail_on (never hides errors)."),
    Key("max_bytes", "limits.max_bytes", "--max-bytes", int_in(1), _LIMITS.max_bytes, "Largest file accepted, bytes."),
    Key("max_pixels", "limits.max_pixels", "--max-pixels", int_in(1), _LIMITS.max_pixels,
        "Largest image or frame accepted, pixels; checked from the header before decoding."),
    Key("max_frames", "limits.max_frames", "--max-frames", int_in(1), _LIMITS.max_frames,
        "Most video frames decoded per file."),
    Key("timeout_s", "limits.timeout_s", "--timeout", number_above(0.0), _LIMITS.timeout_s,
        "Seconds allowed per file; the worker is stopped after that."),
    Key("c2pa_trust", "c2pa.trust", "--c2pa-trust", trust_choice, "official",
        "C2PA trust list: official (the shipped C2PA Trust List, or the one `synthcheck trust update` installed), "
        "none, or a PEM file used instead.", path=True),
    Key("c2pa_trust_anchors", "c2pa.trust_anchors", "--c2pa-trust-anchors", existing_file, None,
        "PEM file of C2PA trust anchors added to the trust list in use.", path=True),
    Key("artifacts_dir", "artifacts_dir", "--artifacts-dir", folder, None,
        "Folder for report images (spectra).", path=True),
    Key("metadata_reader", "metadata.reader", "--metadata-reader", one_of(METADATA_READERS), "auto",
        "How the metadata detector reads tags: auto, exiftool or python."),
    Key("fps", "video.fps", "--fps", number_above(0.0, 240.0), None,
        "Video frames sampled per second by the temporal detector (default: the detector's own)."),
    Key("rivagan", "watermark.rivagan", "--rivagan/--no-rivagan", boolean, False,
        "Also decode RivaGAN watermarks (about 1 s per image on CPU)."),
    Key("match_list", "known.match_lists", "--match-list", match_lists, (),
        "Hash lists to match files against, [KIND=]FILE with KIND synthetic, allow or other "
        "(README: Known content).", path=True),
    Key("record_host", "report.host", "--host/--no-host", boolean, True,
        "Record the host name in the run record; false for reports that will be published."),
    Key("html_all", "report.html_all", "--html-all", boolean, False,
        "HTML report: detail images for every file, not only those at or above possibly-synthetic."),
    Key("resume", "resume", "--resume", one_of(RESUME_MODES), "off",
        "jsonl report to FILE only: append each record as it is known and skip files already in FILE, matched "
        "by path, size and mtime (path) or by SHA-256 (hash); --resume alone means path."),
    Key("all_detectors", "all_detectors", "--all-detectors", boolean, False,
        "Run every detector even when provenance is already decisive (by default the non-cheap ones are "
        "skipped then, and the record says so)."),
    Key("engine", "engine", "--engine", one_of(ENGINES), "local",
        "local: worker processes on this machine; ray: Ray tasks on a cluster (pip install 'synthcheck[cluster]')."),
    Key("ray_address", "ray.address", "--ray-address", one_string, None,
        "Ray cluster to join with --engine ray (ray://HOST:10001 or HOST:6379; default: start a local Ray)."),
)
_BY_NAME = {k.name: k for k in KEYS}
_BY_CONFIG = {k.config: k for k in KEYS if k.config}
_TABLES = {c.split(".", 1)[0] for c in _BY_CONFIG if "." in c}


@dataclass(frozen=True)
class ScanSettings:
    """Every option of a scan, validated.  Build with ``resolve``; never mutate (it is frozen)."""

    format: str = "text"
    output: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    detectors: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    device: str = "auto"
    workers: int = 1
    plugins: tuple[str, ...] = ()
    quiet: bool = False
    fail_on: str = "likely"
    exit_zero: bool = False
    limits: Limits = field(default_factory=Limits)
    c2pa_trust: str = "official"
    c2pa_trust_anchors: str | None = None
    artifacts_dir: str | None = None
    metadata_reader: str = "auto"
    fps: float | None = None
    rivagan: bool = False
    match_list: tuple[str, ...] = ()
    record_host: bool = True
    html_all: bool = False
    resume: str = "off"
    all_detectors: bool = False
    engine: str = "local"
    ray_address: str | None = None
    max_frames_given: bool = False  # --max-frames was asked for, so the temporal detector samples that many
    config_file: str | None = None
    extra_options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # field -> where it was set

    def where(self, name: str) -> str:
        """Where an option came from, for error messages: ``--detectors`` or ``config key 'detectors' in F``."""
        return self.sources.get(name, name)

    def detector_options(self) -> dict[str, Any]:
        """The options detectors read from ``DetectorContext.options`` (their keys are the detectors' own)."""
        opts: dict[str, Any] = {"metadata.reader": self.metadata_reader, "watermark.rivagan": self.rivagan,
                                "c2pa.trust": self.c2pa_trust}
        if self.c2pa_trust_anchors:
            opts["c2pa_trust_anchors"] = self.c2pa_trust_anchors
        if self.artifacts_dir:
            opts["artifacts_dir"] = self.artifacts_dir
        if self.fps is not None:
            opts["temporal.fps"] = self.fps
        if self.max_frames_given:
            opts["temporal.max_frames"] = self.limits.max_frames
        if self.match_list:
            opts["known.match_lists"] = list(self.match_list)
        return {**opts, **self.extra_options}

    def record(self) -> dict[str, Any]:
        """The options as the run record states them: everything that can change a result."""
        from dataclasses import asdict

        return {"format": self.format, "fail_on": self.fail_on, "include": list(self.include),
                "exclude": list(self.exclude), "detectors": list(self.detectors), "skip": list(self.skip),
                "plugins": list(self.plugins), "device": self.device, "workers": self.workers,
                "limits": asdict(self.limits), "config_file": self.config_file, "all_detectors": self.all_detectors,
                "engine": self.engine, **self.detector_options()}


def load_config(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """Read a TOML config file into flat ``{config key: value}``; unknown keys are errors."""
    if path is None:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise SettingsError(f"--config: cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"--config: {path} is not valid TOML: {exc}") from exc
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise SettingsError(f"config key '{key}' in {path}: expected a table [{key}], got {value!r}")
            for sub, v in value.items():
                flat[f"{key}.{sub}"] = v
        else:
            flat[key] = value
    unknown = sorted(k for k in flat if k not in _BY_CONFIG)
    if unknown:
        raise SettingsError(f"unknown config key(s) in {path}: {', '.join(unknown)} (see docs/config.md)")
    return flat


def resolve(cli: Mapping[str, Any] | None = None, config: str | os.PathLike[str] | None = None,
            extra_options: Mapping[str, Any] | None = None) -> ScanSettings:
    """Merge command line (``None`` = not given), config file and defaults; validate every value.

    ``cli`` is keyed by field name (``workers``, ``max_bytes``, ``rivagan``, ``output`` ...).
    Raises ``SettingsError`` with a one-line message naming the offending key.
    """
    cli = dict(cli or {})
    unknown = sorted(set(cli) - set(_BY_NAME) - {"output"})
    if unknown:
        raise SettingsError(f"unknown option(s): {', '.join(unknown)}")
    from_file = load_config(config)
    base = Path(config).resolve().parent if config else None
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in KEYS:
        if cli.get(key.name) is not None:
            sources[key.name] = key.flag or key.name
            values[key.name] = key.check(cli[key.name], sources[key.name])
        elif key.config in from_file:
            sources[key.name] = f"config key '{key.config}' in {config}"
            raw = _relative(from_file[key.config], base) if key.path else from_file[key.config]
            values[key.name] = key.check(raw, sources[key.name])
        else:
            sources[key.name] = "default"
            values[key.name] = key.default
    output = cli.get("output")
    fmt = values["format"] or _format_for(output)
    try:
        limits = Limits(max_bytes=values["max_bytes"], max_pixels=values["max_pixels"],
                        max_frames=values["max_frames"], timeout_s=values["timeout_s"])
    except (TypeError, ValueError) as exc:  # pragma: no cover - each value was checked above
        raise SettingsError(f"limits: {exc}") from exc
    return ScanSettings(
        format=fmt, output=str(output) if output is not None else None,
        include=values["include"], exclude=values["exclude"], detectors=values["detectors"], skip=values["skip"],
        device=values["device"], workers=values["workers"] or os.cpu_count() or 1, plugins=values["plugins"],
        quiet=values["quiet"], fail_on=values["fail_on"], exit_zero=values["exit_zero"], limits=limits,
        c2pa_trust=values["c2pa_trust"], c2pa_trust_anchors=values["c2pa_trust_anchors"],
        artifacts_dir=values["artifacts_dir"],
        metadata_reader=values["metadata_reader"], fps=values["fps"], rivagan=values["rivagan"],
        match_list=values["match_list"], record_host=values["record_host"], html_all=values["html_all"],
        resume=values["resume"], all_detectors=values["all_detectors"], engine=values["engine"],
        ray_address=values["ray_address"],
        max_frames_given=cli.get("max_frames") is not None or "limits.max_frames" in from_file,
        config_file=str(config) if config else None,
        extra_options=MappingProxyType(dict(extra_options or {})),
        sources=MappingProxyType(sources),
    )


def _relative(value: Any, base: Path | None) -> Any:
    if isinstance(value, list):  # a list of paths (match lists), each maybe prefixed KIND=
        return [_relative_prefixed(v, base) for v in value]
    if isinstance(value, str) and value and base is not None and not os.path.isabs(value):
        return str(base / value)
    return value


def _relative_prefixed(value: Any, base: Path | None) -> Any:
    m = LIST_KIND.match(value) if isinstance(value, str) else None
    if m is None:
        return _relative(value, base)
    return m.group(0) + str(_relative(value[m.end():], base))


def _format_for(output: Any) -> str:
    """``-o report.sarif`` means SARIF: the output file's extension picks the format when none is given."""
    suffix = Path(str(output)).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in FORMATS and suffix != "text" else "text"


def config_reference() -> str:
    """The table of every key for docs/config.md (kept in step with ``KEYS`` by a test)."""
    rows = ["| config key | command line | default | meaning |", "|---|---|---|---|"]
    for k in KEYS:
        if k.default in (None, ()):
            default = "(none)"
        elif isinstance(k.default, bool):
            default = str(k.default).lower()
        else:
            default = repr(k.default).replace("'", '"')
        rows.append(f"| `{k.config}` | `{k.flag}` | {default} | {k.doc} |")
    return "\n".join(rows)
