"""Parsers for the generation records that image generators write into their own output files.

Each parser takes the text of one field and returns a ``Params`` dict (``generator`` plus any of
``model``, ``seed``, ``steps``, ``sampler``, ``cfg``, ``size``, ``prompt``, ``negative_prompt``,
``version``) when the text is that generator's record, ``None`` when it is not, and raises
``ValueError`` when it claims to be one (the right field name) but cannot be read.  The formats
are not documented by their authors; these follow what the tools write today:

- Automatic1111 / Forge / SD.Next: a text block whose last line is ``Steps: 20, Sampler: ..., Seed: ...``
  (PNG ``parameters``, or EXIF ``UserComment`` in JPEG/WebP).
- ComfyUI: ``prompt`` (the API graph, ``{"3": {"class_type": "KSampler", "inputs": {...}}}``)
  and ``workflow`` (the editor graph, ``{"nodes": [...]}``) JSON.
- InvokeAI: ``invokeai_metadata`` (3.x+), ``sd-metadata`` (2.x), ``Dream`` (1.x command line).
- NovelAI: ``Comment`` JSON with ``steps``/``sampler``/``seed`` next to ``Software`` = NovelAI.
- Fooocus: ``parameters`` JSON (``fooocus_scheme`` = fooocus) with ``base_model``/``version``.
- Draw Things: JSON in XMP ``exif:UserComment`` (``c`` = prompt) next to ``CreatorTool`` = Draw Things.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

Params = dict[str, Any]
MAX_NODES = 2000  # ComfyUI graphs walked at most this far

_A1111_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{what} is not valid JSON ({str(exc)[:120]})") from exc


def _clean(params: Params) -> Params:
    return {k: v for k, v in params.items() if v not in (None, "", [], {})}


def _keys(obj: dict[str, Any]) -> dict[str, Any]:
    """Keys folded to lower case without punctuation, so ``Base Model`` and ``base_model`` agree."""
    return {re.sub(r"[^a-z0-9]", "", str(k).lower()): v for k, v in obj.items()}


# -- Automatic1111 and compatible ---------------------------------------------------------------------
def parse_a1111(text: str) -> Params | None:
    lines = text.strip().split("\n")
    last = lines[-1].strip() if lines else ""
    if not last.startswith("Steps:"):
        return None
    kv = {k.strip(): v.strip().strip('"') for k, v in _A1111_PARAM.findall(last)}
    if "Steps" not in kv or not ({"Sampler", "Seed"} & kv.keys()):
        return None
    body = "\n".join(lines[:-1])
    prompt, _, negative = body.partition("\nNegative prompt:")
    if body.startswith("Negative prompt:"):
        prompt, negative = "", body[len("Negative prompt:"):]
    version = kv.get("Version", "")
    if version.startswith("f") and "v1." in version:
        generator = "Stable Diffusion WebUI Forge"
    elif version.lower().startswith("fooocus"):
        generator = "Fooocus"
    elif "ComfyUI" in version:
        generator = "ComfyUI"
    else:
        generator = "Automatic1111 Stable Diffusion WebUI (or compatible)"
    return _clean({"generator": generator, "model": kv.get("Model") or kv.get("Model hash"),
                   "seed": kv.get("Seed"), "steps": kv.get("Steps"), "sampler": kv.get("Sampler"),
                   "cfg": kv.get("CFG scale"), "size": kv.get("Size"), "version": version,
                   "prompt": prompt.strip(), "negative_prompt": negative.strip()})


# -- ComfyUI ---------------------------------------------------------------------------------------
def parse_comfy_prompt(text: str) -> Params | None:
    graph = _json(text, "the ComfyUI 'prompt' field")
    if not isinstance(graph, dict):
        return None
    nodes = {str(k): v for k, v in list(graph.items())[:MAX_NODES]
             if isinstance(v, dict) and isinstance(v.get("class_type"), str)}
    if not nodes:
        return None
    out: Params = {"generator": "ComfyUI", "nodes": len(nodes)}
    for node in nodes.values():
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
        ctype = node["class_type"]
        if "ckpt_name" in inputs or "unet_name" in inputs:
            out.setdefault("model", _scalar(inputs.get("ckpt_name") or inputs.get("unet_name")))
        if "Sampler" in ctype or "sampler_name" in inputs:
            out.setdefault("seed", _scalar(inputs.get("seed", inputs.get("noise_seed"))))
            out.setdefault("steps", _scalar(inputs.get("steps")))
            out.setdefault("sampler", _scalar(inputs.get("sampler_name")))
            out.setdefault("cfg", _scalar(inputs.get("cfg")))
            positive = inputs.get("positive")
            if isinstance(positive, list) and positive and str(positive[0]) in nodes:
                out.setdefault("prompt", _node_text(nodes[str(positive[0])]))
    if "prompt" not in out:
        texts = [_node_text(n) for n in nodes.values() if "TextEncode" in n["class_type"]]
        out["prompt"] = next((t for t in texts if t), None)
    return _clean(out)


def _node_text(node: dict[str, Any]) -> str | None:
    inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
    for key in ("text", "text_g", "prompt"):
        if isinstance(inputs.get(key), str):
            return inputs[key]
    return None


def _scalar(value: Any) -> Any:
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def parse_comfy_workflow(text: str) -> Params | None:
    graph = _json(text, "the ComfyUI 'workflow' field")
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        return None
    nodes = [n for n in graph["nodes"][:MAX_NODES] if isinstance(n, dict) and isinstance(n.get("type"), str)]
    if not nodes:
        return None
    out: Params = {"generator": "ComfyUI", "nodes": len(nodes)}
    for node in nodes:
        widgets = node.get("widgets_values") if isinstance(node.get("widgets_values"), list) else []
        if node["type"].startswith("CheckpointLoader") and widgets:
            out.setdefault("model", _scalar(widgets[0]))
        if "TextEncode" in node["type"] and widgets and isinstance(widgets[0], str):
            out.setdefault("prompt", widgets[0])
    return _clean(out)


# -- InvokeAI ----------------------------------------------------------------------------------------
def parse_invokeai(name: str, text: str) -> Params | None:
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if key == "dream":
        return _parse_dream(text)
    data = _json(text, f"the InvokeAI '{name}' field")
    if not isinstance(data, dict):
        return None
    if key == "sdmetadata":
        image = data.get("image") if isinstance(data.get("image"), dict) else {}
        prompt = image.get("prompt")
        if isinstance(prompt, list):
            prompt = " ".join(p.get("prompt", "") for p in prompt if isinstance(p, dict))
        return _clean({"generator": "InvokeAI", "model": _scalar(data.get("model_weights") or data.get("model")),
                       "seed": _scalar(image.get("seed")), "steps": _scalar(image.get("steps")),
                       "sampler": _scalar(image.get("sampler")), "cfg": _scalar(image.get("cfg_scale")),
                       "version": _scalar(data.get("app_version")), "prompt": _scalar(prompt)})
    model = data.get("model")
    if isinstance(model, dict):
        model = model.get("name") or model.get("model_name")
    return _clean({"generator": "InvokeAI", "model": _scalar(model), "seed": _scalar(data.get("seed")),
                   "steps": _scalar(data.get("steps")), "sampler": _scalar(data.get("scheduler")),
                   "cfg": _scalar(data.get("cfg_scale")), "version": _scalar(data.get("app_version")),
                   "prompt": _scalar(data.get("positive_prompt")),
                   "negative_prompt": _scalar(data.get("negative_prompt"))})


def _parse_dream(text: str) -> Params | None:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"the InvokeAI 'Dream' field cannot be split into words ({exc})") from exc
    if not words:
        return None
    flags = {"-s": "steps", "-S": "seed", "-A": "sampler", "-C": "cfg", "-m": "model"}
    out: Params = {"generator": "InvokeAI (Dream)", "prompt": words[0]}
    for flag, value in zip(words[1:], words[2:]):
        if flag in flags:
            out[flags[flag]] = value
    return _clean(out) if len(out) > 2 else None


# -- NovelAI, Fooocus, Draw Things -------------------------------------------------------------------
def parse_novelai(comment: str) -> Params | None:
    data = _json(comment, "the NovelAI 'Comment' field")
    if not isinstance(data, dict) or not ({"steps", "sampler", "seed"} & data.keys()):
        return None
    return _clean({"generator": "NovelAI", "seed": _scalar(data.get("seed")), "steps": _scalar(data.get("steps")),
                   "sampler": _scalar(data.get("sampler")), "cfg": _scalar(data.get("scale")),
                   "prompt": _scalar(data.get("prompt")), "negative_prompt": _scalar(data.get("uc"))})


def parse_fooocus(text: str) -> Params | None:
    if not text.lstrip().startswith("{"):
        return None
    data = _json(text, "the Fooocus 'parameters' field")
    if not isinstance(data, dict):
        return None
    k = _keys(data)
    version = str(k.get("version", ""))
    if "fooocus" not in version.lower() and "basemodel" not in k:
        return None
    return _clean({"generator": "Fooocus", "model": _scalar(k.get("basemodel")), "seed": _scalar(k.get("seed")),
                   "steps": _scalar(k.get("steps")), "sampler": _scalar(k.get("sampler")),
                   "cfg": _scalar(k.get("guidancescale")), "version": version,
                   "prompt": _scalar(k.get("prompt")), "negative_prompt": _scalar(k.get("negativeprompt"))})


def parse_drawthings(text: str) -> Params | None:
    if not text.lstrip().startswith("{"):
        return None
    data = _json(text, "the Draw Things record in XMP UserComment")
    if not isinstance(data, dict) or not ({"c", "seed", "steps"} <= data.keys() or "sampler" in data):
        return None
    return _clean({"generator": "Draw Things", "model": _scalar(data.get("model")), "seed": _scalar(data.get("seed")),
                   "steps": _scalar(data.get("steps")), "sampler": _scalar(data.get("sampler")),
                   "cfg": _scalar(data.get("scale")), "size": _scalar(data.get("size")),
                   "prompt": _scalar(data.get("c")), "negative_prompt": _scalar(data.get("uc"))})
