"""Turn the SDK's manifest-store JSON into findings a reader can check.

Two questions are kept apart: is the manifest intact and who signed it (the validation state),
and what does it declare about how the content was made (the digital source types of its
actions, in the active manifest and in the manifests of its ingredients).  A declaration only
counts when the manifest is intact; an altered manifest's declarations are listed as unverified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from synthcheck.model import Claim, Finding, Strength
from synthcheck.vocabulary import c2pa_state
from synthcheck.vocabulary import source_type as vocabulary_term

from . import trust as tr
from .bindings import soft_bindings

SOURCE = "c2pa"
_IPTC = "digitalsourcetype/"

# Failure codes about the certificate or timestamp, not the content: the file may be unaltered.
_CREDENTIAL_CODES = ("signingCredential.", "timeStamp.", "claimSignature.outsideValidity")

# One plain sentence per status code a journalist is likely to meet.
CODE_SENTENCES = {
    "signingCredential.untrusted": "The signing certificate does not chain to a root on the trust list in use, "
                                   "so who signed it is not confirmed (add the issuer's root certificate with "
                                   "--c2pa-trust-anchors if you trust it).",
    "signingCredential.trusted": "The signing certificate chains to a trusted root certificate.",
    "signingCredential.expired": "The signing certificate had expired when the manifest was signed, "
                                 "so the signature cannot be relied on.",
    "signingCredential.revoked": "The certificate authority revoked the signing certificate.",
    "signingCredential.invalid": "The signing certificate is malformed or not allowed for C2PA signing.",
    "claimSignature.outsideValidity": "The manifest was signed outside its certificate's validity period "
                                      "(an expired or not-yet-valid certificate).",
    "claimSignature.mismatch": "The manifest's signature does not match its contents: the manifest was "
                               "changed after it was signed.",
    "assertion.dataHash.mismatch": "The file's bytes no longer match the hash in the manifest: the content "
                                   "was altered after signing.",
    "assertion.bmffHash.mismatch": "The video's bytes no longer match the hash in the manifest: the content "
                                   "was altered after signing.",
    "assertion.boxesHash.mismatch": "The file's boxes no longer match the hash in the manifest: the content "
                                    "was altered after signing.",
    "assertion.hashedURI.mismatch": "An assertion in the manifest was changed after signing.",
    "timeStamp.untrusted": "The timestamp was issued by an authority that is not on the trust list.",
    "timeStamp.mismatch": "The timestamp does not match the signature it should certify.",
    "timeStamp.outsideValidity": "The timestamp lies outside the signing certificate's validity period.",
}

MakeFinding = Callable[..., Finding]


@dataclass(frozen=True)
class Declaration:
    """One digital source type declared by one manifest, with the actions that carry it."""

    manifest: str
    source_type: str
    actions: tuple[str, ...]
    agents: tuple[str, ...]
    via_ingredient: str | None  # None: the active manifest; else the ingredient relationship


def explain_code(code: str, fallback: str = "") -> str:
    return CODE_SENTENCES.get(code) or (f"{code}: {fallback}" if fallback else code)


def failures(store: dict[str, Any]) -> list[dict[str, Any]]:
    """The failing status entries of the active manifest (validation_results, else the old list)."""
    results = store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    if "failure" in active:
        return [s for s in active.get("failure") or [] if isinstance(s, dict)]
    return [s for s in store.get("validation_status") or [] if isinstance(s, dict)]


def delta_failures(store: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Failures found now in ingredient manifests, keyed by the ingredient assertion's URI."""
    out: dict[str, list[dict[str, Any]]] = {}
    for delta in (store.get("validation_results") or {}).get("ingredientDeltas") or []:
        fails = [s for s in (delta.get("validationDeltas") or {}).get("failure") or [] if isinstance(s, dict)]
        if fails:
            out[str(delta.get("ingredientAssertionURI", ""))] = fails
    return out


def _recorded_failures(ingredient: dict[str, Any]) -> list[str]:
    """Failures the signer recorded for an ingredient when it was added."""
    res = (ingredient.get("validation_results") or {}).get("activeManifest") or {}
    entries = list(res.get("failure") or []) + list(ingredient.get("validation_status") or [])
    return list(dict.fromkeys(str(s.get("code", "")) for s in entries if isinstance(s, dict)))


def _is_integrity_failure(code: str) -> bool:
    return bool(code) and not code.startswith(_CREDENTIAL_CODES)


def _agent(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(str(value[k]) for k in ("name", "version") if value.get(k))
    return str(value) if value else ""


def claim_generator(manifest: dict[str, Any]) -> str:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info:
        return "; ".join(_agent({k: g.get(k) for k in ("name", "version")}) for g in info if isinstance(g, dict))
    return str(manifest.get("claim_generator") or "")


def signer(manifest: dict[str, Any]) -> dict[str, Any]:
    sig = manifest.get("signature_info") or {}
    return {k: sig[k] for k in ("issuer", "common_name", "alg", "time", "cert_serial_number") if sig.get(k)}


def action_list(manifest: dict[str, Any]) -> list[dict[str, str]]:
    """Every action of the manifest (created, edited, opened...) with its software agent, for the record."""
    out = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions") or []:
                dst = str(action.get("digitalSourceType") or "")
                out.append({"action": str(action.get("action", "")), "digital_source_type": _source_type(dst),
                            "software_agent": _agent(action.get("softwareAgent"))})
    return out


def _source_type(uri: str) -> str:
    return uri.rsplit(_IPTC, 1)[-1] if _IPTC in uri else uri.rsplit("/", 1)[-1]


def declarations(manifest: dict[str, Any], via: str | None = None) -> list[Declaration]:
    """Digital source types of every action in ``manifest``, grouped by type."""
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            dst = action.get("digitalSourceType")
            if not dst:
                continue
            acts, agents = grouped.setdefault(_source_type(str(dst)), ([], []))
            acts.append(str(action.get("action", "")))
            if (agent := _agent(action.get("softwareAgent"))) and agent not in agents:
                agents.append(agent)
    label = str(manifest.get("label", ""))
    return [Declaration(label, t, tuple(a), tuple(g), via) for t, (a, g) in grouped.items()]


def chain(store: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Declaration], list[str]]:
    """Walk the ingredient chain from the active manifest.

    Returns the chain for the evidence, the declarations of ingredient manifests that validated,
    and a note per ingredient manifest whose own validation failed (its declarations dropped).
    """
    manifests = store.get("manifests") or {}
    seen = {store.get("active_manifest")}
    todo: list[tuple[dict[str, Any], int, str | None]] = [
        (manifests.get(store.get("active_manifest")) or {}, 0, None)]
    links: list[dict[str, Any]] = []
    found: list[Declaration] = []
    broken: list[str] = []
    deltas = delta_failures(store)
    while todo:
        manifest, depth, path_rel = todo.pop(0)
        for ing in manifest.get("ingredients") or []:
            label = ing.get("active_manifest")
            now = [str(e.get("code", "")) for e in deltas.get(
                f"self#jumbf=/c2pa/{manifest.get('label')}/c2pa.assertions/{ing.get('label')}", [])]
            fails = list(dict.fromkeys(_recorded_failures(ing) + now))
            rel = str(ing.get("relationship") or "ingredient")
            own = manifests.get(label) or {} if label else {}
            name, version = tr.generator(own) if own else ("", "")
            links.append({"parent": manifest.get("label"), "title": ing.get("title"), "format": ing.get("format"),
                          "relationship": rel, "manifest": label, "failures": fails, "depth": depth + 1,
                          **tr.state_words(tr.ingredient_state(ing, now)),
                          "signer": (own.get("signature_info") or {}).get("issuer") or
                          (own.get("signature_info") or {}).get("common_name"),
                          "claim_generator": " ".join(x for x in (name, version) if x) or None,
                          "actions": action_list(own) if own else []})
            if not label or label in seen or label not in manifests or depth > 32:
                continue
            seen.add(label)
            # a grandparent reached through a component is itself only part of this file
            via = rel if path_rel in (None, "parentOf") else path_rel
            if any(_is_integrity_failure(c) for c in fails):
                broken.append(f"{ing.get('title') or label} ({', '.join(fails)})")
            else:
                found.extend(declarations(manifests[label], via=via))
            todo.append((manifests[label], depth + 1, via))
    return links, found, broken


def _sentences(entries: list[dict[str, Any]], keep: Callable[[str], bool] = bool) -> str:
    codes = [(str(e.get("code", "")), str(e.get("explanation", ""))) for e in entries]
    return " ".join(dict.fromkeys(explain_code(c, x) for c, x in codes if keep(c)))


def interpret(store: dict[str, Any], make: MakeFinding, *, trusted_anchors: bool = False,
              trust: tr.TrustContext | None = None) -> list[Finding]:
    """Findings for a manifest store the SDK read."""
    ctx = trust or tr.TrustContext()
    label = str(store.get("active_manifest") or "")
    manifests = store.get("manifests") or {}
    active = manifests.get(label) or {}
    fails = failures(store)
    deltas = [e for entries in delta_failures(store).values() for e in entries]
    codes = list(dict.fromkeys(str(e.get("code", "")) for e in fails + deltas))
    state = str(store.get("validation_state") or "")
    if not state:  # an older SDK without the summary: derive it from the failures
        state = "Invalid" if any(_is_integrity_failure(c) for c in codes) else "Valid"
    key = tr.manifest_state({**store, "validation_state": state}, [str(e.get("code", "")) for e in fails],
                            [str(e.get("code", "")) for e in deltas])
    links, ingredient_decls, broken = chain(store)
    who = signer(active)
    identity = tr.signer_identity(store, active, ctx)
    bindings = [b for m in [active, *(manifests.get(x["manifest"]) or {} for x in links if x.get("manifest"))]
                for b in soft_bindings(m)]
    base = {"source": SOURCE, "manifest": label, "validation_state": state, **tr.state_words(key),
            "failures": codes, "claim_generator": claim_generator(active), "signer": who, "signed_by": identity,
            "all_actions": action_list(active), "ingredients": links, "soft_bindings": bindings,
            "trust_list": {k: ctx.record[k] for k in ("list", "version", "file") if k in ctx.record},
            "user_trust_anchors": trusted_anchors}
    out = [_state_finding(key, fails, deltas, identity, make, base)]
    for note in broken:
        out.append(make(f"An ingredient's own C2PA manifest had failed validation when it was added: {note}. "
                        "Its declarations are ignored.", strength=Strength.WEAK, evidence=base,
                        title="C2PA ingredient manifest invalid"))
    if links:
        out.append(_history_finding(active, links, key, make, base))
    if bindings:
        out.append(_bindings_finding(bindings, make, base))
    intact = key in ("valid-untrusted", "trusted")
    for decl in declarations(active) + ingredient_decls:
        out.append(_declaration_finding(decl, make, base, intact))
    return out


def _actions_text(actions: list[dict[str, str]]) -> str:
    parts = []
    for a in actions:
        what = a.get("action", "").removeprefix("c2pa.") or "an action"
        if a.get("digital_source_type"):
            what += f" ({vocabulary_term(a['digital_source_type']).label})"
        if a.get("software_agent"):
            what += f" with {a['software_agent']}"
        parts.append(what)
    return ", ".join(dict.fromkeys(parts)) or "no actions recorded"


def _history_finding(active: dict[str, Any], links: list[dict[str, Any]], key: str, make: MakeFinding,
                     base: dict[str, Any]) -> Finding:
    """The manifest chain, oldest first, so an editor reads "captured on X, then generative fill in Y"."""
    steps = []
    for link in sorted(links, key=lambda x: -int(x.get("depth") or 0)):
        who = f", signed by {link['signer']}" if link.get("signer") else ""
        what = _actions_text(link.get("actions") or []) if link.get("manifest") else "no C2PA manifest of its own"
        note = "" if link["state"] in ("trusted", "absent") else ": a property of that ingredient, not of this file"
        steps.append(f"\"{link.get('title') or 'untitled'}\" ({link['relationship']}, {link['state_words']}"
                     f"{note}{who}): {what}")
    gen = claim_generator(active)
    steps.append(f"this file ({c2pa_state(key).words}" + (f", made with {gen}" if gen else "") + "): "
                 + _actions_text(action_list(active)))
    history = [{"title": x.get("title"), "relationship": x["relationship"], "state": x["state"],
                "depth": x.get("depth"), "signer": x.get("signer"), "actions": x.get("actions")} for x in links]
    return make("C2PA history, oldest first: " + "; then ".join(steps) + ".", strength=Strength.INFO,
                evidence={**base, "history": history}, title="C2PA history (ingredient chain)")


def _bindings_finding(bindings: list[dict[str, Any]], make: MakeFinding, base: dict[str, Any]) -> Finding:
    parts = [f"{b['alg']} ({b['note']})" for b in bindings]
    return make("The C2PA manifest declares soft bindings (watermarks or fingerprints bound to the content): "
                + "; ".join(parts) + ".", strength=Strength.INFO, evidence=base,
                title="C2PA soft bindings declared")


def _state_finding(key: str, fails: list[dict[str, Any]], deltas: list[dict[str, Any]], who: dict[str, Any],
                   make: MakeFinding, base: dict[str, Any]) -> Finding:
    """One finding for the manifest's state: its words, what it proves, and who signed."""
    state = c2pa_state(key)
    signed = tr.signer_sentence(who, key)
    if key == "trusted":
        return make(f"{state.meaning} {signed}", strength=Strength.INFO, evidence=base, title=f"C2PA: {state.words}")
    if key == "valid-untrusted":
        others = _sentences(fails, lambda c: c != tr.UNTRUSTED)  # the signer sentence already says it
        return make(f"{state.meaning} {signed} {others}".strip(), strength=Strength.INFO, evidence=base,
                    title=f"C2PA: {state.words}")
    altered = [str(e.get("code")) for e in fails if _is_integrity_failure(str(e.get("code", "")))]
    chain_altered = [str(e.get("code")) for e in deltas if _is_integrity_failure(str(e.get("code", "")))]
    if altered:
        return make(f"{state.meaning} The file was altered after its C2PA manifest was signed "
                    f"({', '.join(dict.fromkeys(altered))}). {_sentences(fails, _is_integrity_failure)} Whatever the "
                    f"manifest declares no longer describes this file. {signed}", strength=Strength.STRONG,
                    evidence=base, claim=Claim.TAMPERED, title=f"C2PA: {state.words} (file altered after signing)")
    if chain_altered:
        return make(f"{state.meaning} The file's C2PA history is broken: the manifest of an ingredient it was made "
                    f"from was altered ({', '.join(dict.fromkeys(chain_altered))}). "
                    f"{_sentences(deltas, _is_integrity_failure)} The recorded history no longer describes this "
                    f"file. {signed}", strength=Strength.STRONG, evidence=base, claim=Claim.TAMPERED,
                    title=f"C2PA: {state.words} (ingredient history altered)")
    codes = ", ".join(dict.fromkeys(str(e.get("code")) for e in fails)) or "no reason given"
    return make(f"{state.meaning} The manifest's signature cannot be relied on ({codes}). "
                f"{_sentences(fails) or 'The SDK gave no reason.'} The content hashes were not reported as altered, "
                f"so this is not evidence of tampering. {signed}", strength=Strength.MODERATE, evidence=base,
                title=f"C2PA: {state.words} (signature not accepted)")


def _declaration_finding(decl: Declaration, make: MakeFinding, base: dict[str, Any], intact: bool) -> Finding:
    entry = vocabulary_term(decl.source_type)  # the shared meaning, so every detector reads a term alike
    claim, meaning = entry.claim, entry.label
    note = ""
    if decl.via_ingredient not in (None, "parentOf"):  # a component or an input, not what the file is
        if claim is Claim.AI_GENERATED:
            claim, note = Claim.AI_EDITED, " So part of this file comes from generative AI."
        elif claim is Claim.CAPTURE:
            claim = None
    what = "This file" if decl.via_ingredient is None else f"An ingredient ({decl.via_ingredient}) of this file"
    agents = f" by {', '.join(decl.agents)}" if decl.agents else ""
    acts = ", ".join(dict.fromkeys(a for a in decl.actions if a))
    evidence = {**base, "manifest": decl.manifest, "digital_source_type": decl.source_type,
                "actions": list(decl.actions), "software_agents": list(decl.agents),
                "via_ingredient": decl.via_ingredient}
    if not intact:
        return make(f"The C2PA manifest, which failed validation, declares the content {meaning}{agents}; "
                    "this declaration is unverified.", strength=Strength.INFO, evidence=evidence,
                    title=f"Unverified C2PA declaration: {decl.source_type}")
    sentence = f"{what} is declared in its C2PA manifest as {meaning}{agents}" + (f" ({acts})." if acts else ".")
    sentence += note
    if claim in (Claim.AI_GENERATED, Claim.AI_EDITED):
        title = ("C2PA manifest declares AI generation" if claim is Claim.AI_GENERATED
                 else "C2PA manifest declares AI editing") + (f" ({', '.join(decl.agents)})" if decl.agents else "")
        return make(sentence + " The signer made this declaration; the signature shows it was not changed since. "
                    + _who_declared(base), strength=Strength.DECISIVE, evidence=evidence, claim=claim, title=title)
    if claim is Claim.CAPTURE:
        return make(sentence + " This is context, never proof of authenticity: it is what the signer declared.",
                    strength=Strength.INFO, evidence=evidence, claim=claim, title="C2PA manifest declares a capture")
    return make(sentence, strength=Strength.INFO, evidence=evidence, claim=claim,
                title=f"C2PA manifest declares {decl.source_type}")


def _who_declared(base: dict[str, Any]) -> str:
    """An AI tool declaring its own output is provenance whether or not it is on a trust list; say which."""
    who = base.get("signed_by") or {}
    name = who.get("organisation") or who.get("common_name") or "the signer"
    itself = f" {name} signs as the AI generator itself ({who['ai_generator']})." if who.get("ai_generator") else ""
    if base.get("state") == "trusted":
        return f"{itself} The signer is on {who.get('trust_list') or 'a trust list in use'}, so who declared it is " \
               "confirmed.".lstrip()
    return (f"{itself} The signer ({name}) is not on a trust list in use, so who declared it is unverified; the "
            "declaration still counts as AI provenance because the manifest is intact, but anyone could have signed "
            "it.").lstrip()


def no_manifest(make: MakeFinding) -> list[Finding]:
    state = c2pa_state("absent")
    return [make(f"{state.meaning}", strength=Strength.INFO,
                 evidence={"source": SOURCE, "manifest": None, **tr.state_words("absent")},
                 title=f"C2PA: {state.words} (no manifest)")]


def remote(make: MakeFinding, url: str | None) -> list[Finding]:
    return [make(f"The file points to a remote C2PA manifest ({url or 'URL not given'}); remote manifest not "
                 "fetched, because synthcheck works offline. Fetch and check it separately if it matters.",
                 strength=Strength.INFO, evidence={"source": SOURCE, "manifest": None, "remote_url": url},
                 title="Remote manifest not fetched")]


def unreadable(make: MakeFinding, error: str) -> list[Finding]:
    return [make(f"The file carries C2PA data that the SDK could not read ({error}); manifest present but "
                 "unreadable, so its provenance could not be checked. A damaged or deliberately malformed "
                 "manifest looks like this.", strength=Strength.WEAK,
                 evidence={"source": SOURCE, "manifest": None, "error": error},
                 title="C2PA manifest present but unreadable")]


def unparsed(make: MakeFinding, error: str) -> list[Finding]:
    return [make(f"The C2PA SDK could not parse this file ({error}) and no C2PA data is visible in it, so its "
                 "provenance is unknown.", strength=Strength.INFO,
                 evidence={"source": SOURCE, "manifest": None, "error": error},
                 title="C2PA not checked: file not parsed")]


def unsupported(make: MakeFinding, error: str, fmt: str | None) -> list[Finding]:
    return [make(f"C2PA provenance was not checked: {error}.", strength=Strength.INFO,
                 evidence={"source": SOURCE, "manifest": None, "format": fmt, "error": error},
                 title="C2PA not checked for this format")]

