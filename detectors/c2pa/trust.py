"""Which of the four states a manifest is in, and who signed it, in words a reader can check.

The state follows the SDK's own ``validation_state`` (a test compares the two on the SDK's public
test files) with one deliberate difference the C2PA trust model asks for: a problem with an
*ingredient's* certificate (untrusted, expired) is a property of that ingredient and never makes
the asset itself invalid; only the active manifest's own failures, or an ingredient manifest that
was altered, do.  The signer is named from the certificate (subject organisation and common
name), the claim generator, the conforming product its certificate subject matches in the C2PA
conforming-products list, and the time-stamp authority the SDK validated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from synthcheck.vocabulary import c2pa_state, match_ai_tool

UNTRUSTED = "signingCredential.untrusted"
TRUSTED = "signingCredential.trusted"
_CREDENTIAL = ("signingCredential.", "timeStamp.", "claimSignature.outsideValidity")


@dataclass(frozen=True)
class TrustContext:
    """What the detector was given: the run's trust record and the conforming-products list."""

    record: dict[str, Any] = field(default_factory=dict)
    products: list[dict[str, Any]] = field(default_factory=list)


def codes(entries: Any) -> list[str]:
    return [str(e.get("code", "")) for e in entries or [] if isinstance(e, dict)]


def _not_the_signature(code: str) -> bool:
    """Codes that do not make a manifest invalid: an unverified signer, and CAWG identity assertions
    (a separate credential inside the manifest, reported by the SDK beside a valid signature)."""
    return code == UNTRUSTED or code.startswith("cawg.")


def is_integrity(code: str) -> bool:
    return bool(code) and not code.startswith(_CREDENTIAL) and not code.startswith("cawg.")


def manifest_state(store: dict[str, Any], own_failures: list[str], delta_failures: list[str]) -> str:
    """The key of the active manifest's state (``trusted``, ``valid-untrusted`` or ``invalid``)."""
    sdk = str(store.get("validation_state") or "")
    if sdk == "Trusted":
        return "trusted"
    if sdk == "Valid":
        return "valid-untrusted"
    own = [c for c in own_failures if not _not_the_signature(c)]
    altered_chain = [c for c in delta_failures if is_integrity(c)]
    if own or altered_chain or (sdk == "Invalid" and not delta_failures):
        return "invalid"
    success = codes(((store.get("validation_results") or {}).get("activeManifest") or {}).get("success"))
    return "trusted" if TRUSTED in success and UNTRUSTED not in own_failures else "valid-untrusted"


def ingredient_state(ingredient: dict[str, Any], delta: list[str]) -> str:
    """The state of one ingredient: what its signer recorded when adding it, updated by what the SDK found now."""
    if not ingredient.get("active_manifest"):
        return "absent"
    recorded = ingredient.get("validation_results") or {}
    active = recorded.get("activeManifest") or {}
    found = codes(active.get("failure")) + codes(ingredient.get("validation_status")) + list(delta)
    if any(not _not_the_signature(c) for c in found):
        return "invalid"
    if UNTRUSTED in found:
        return "valid-untrusted"
    return "trusted" if TRUSTED in codes(active.get("success")) else "valid-untrusted"


# -- the signer -----------------------------------------------------------------------------------
def _norm(text: Any) -> str:
    return re.sub(r"[\s.,]+", " ", str(text or "")).strip().casefold()


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = re.findall(r"\d+", text or "")
    return tuple(int(p) for p in parts) if parts and re.fullmatch(r"[\d.]+", text.strip()) else None


def product_match(organisation: str, common_name: str, products: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The conforming product whose certificate subject (O and CN) is the signer's, if any."""
    org, cn = _norm(organisation), _norm(common_name)
    if not org or not cn:
        return None
    for rec in products:
        prod = rec.get("product") or {}
        dn = prod.get("DN") or {}
        if _norm(dn.get("O")) == org and _norm(dn.get("CN")) == cn:
            return {"product": dn.get("CN"), "organisation": dn.get("O"), "unit": dn.get("OU") or None,
                    "type": prod.get("productType"), "min_version": prod.get("minVersion") or None,
                    "status": rec.get("status"), "record_id": rec.get("recordId")}
    return None


PRODUCT_TYPES = {"generatorProduct": "a product that writes C2PA manifests (generator product)",
                 "validatorProduct": "a product that checks C2PA manifests (validator product)"}


def timestamp(store: dict[str, Any], active: dict[str, Any]) -> dict[str, Any] | None:
    """The time-stamp authority as the SDK validated it (its name is in the status explanations)."""
    res = (store.get("validation_results") or {}).get("activeManifest") or {}
    entries = [e for k in ("success", "informational", "failure") for e in res.get(k) or []
               if isinstance(e, dict) and str(e.get("code", "")).startswith("timeStamp.")]
    if not entries:
        return None
    names = [str(e.get("explanation", "")).split(": ", 1)[1] for e in entries if ": " in str(e.get("explanation", ""))]
    found = codes(entries)
    return {"authority": names[0] if names else None, "time": (active.get("signature_info") or {}).get("time"),
            "trusted": "timeStamp.trusted" in found, "codes": found}


def generator(manifest: dict[str, Any]) -> tuple[str, str]:
    """Claim generator name and version (the first entry: the tool that made the claim)."""
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict):
        return str(info[0].get("name") or ""), str(info[0].get("version") or "")
    text = str(manifest.get("claim_generator") or "").split(" ")[0]
    name, _, version = text.partition("/")
    return name, version


def trust_list_name(uri: str | None, record: dict[str, Any]) -> str | None:
    if not uri:
        return None
    if uri == "c2pa-trust-list":
        return f"the C2PA Trust List ({record.get('version', 'version unknown')})"
    if uri == "user_anchors":
        extra = (record.get("extra_anchors") or {}).get("file", "")
        return f"your trust anchors ({extra.rsplit('/', 1)[-1]})" if extra else "your trust anchors"
    if uri.startswith("file:"):
        return f"the trust list file {uri[5:]}"
    return uri


def signer_identity(store: dict[str, Any], active: dict[str, Any], ctx: TrustContext) -> dict[str, Any]:
    sig = active.get("signature_info") or {}
    org, cn = str(sig.get("issuer") or ""), str(sig.get("common_name") or "")  # the SDK's "issuer" is the subject O
    name, version = generator(active)
    product = product_match(org, cn, ctx.products)
    if product and product.get("min_version") and version:
        have, need = _version_tuple(version), _version_tuple(str(product["min_version"]))
        product["version_below_minimum"] = bool(have and need and have < need)
    tool = next((t for t in (match_ai_tool(x) for x in (org, cn, name)) if t), None)
    uri = (store.get("validation_results") or {}).get("trustListUri")
    return {"organisation": org or None, "common_name": cn or None, "claim_generator": name or None,
            "claim_generator_version": version or None, "trust_list": trust_list_name(uri, ctx.record),
            "conforming_product": product, "timestamp": timestamp(store, active),
            "ai_generator": tool.name if tool else None}


def signer_sentence(who: dict[str, Any], state: str) -> str:
    """Who signed, on which list, which product, which time-stamp: one paragraph of plain sentences."""
    name = who.get("organisation") or who.get("common_name") or "an unnamed signer"
    if who.get("organisation") and who.get("common_name"):
        name += f" (certificate \"{who['common_name']}\")"
    gen = " ".join(x for x in (who.get("claim_generator"), who.get("claim_generator_version")) if x)
    out = [f"Signed by {name}" + (f" with {gen}" if gen else "") + "."]
    if state == "trusted":
        out.append(f"The signer's certificate chains to {who.get('trust_list') or 'a trust list in use'}.")
    elif state == "valid-untrusted":
        out.append("The signer is not on a trust list in use, so this name is what the certificate says, unverified.")
    product = who.get("conforming_product")
    if product:
        kind = PRODUCT_TYPES.get(str(product.get("type")), str(product.get("type") or "type not given"))
        line = (f"Its certificate subject matches the conforming product \"{product['product']}\" of "
                f"{product['organisation']} on the C2PA conforming-products list, declared as {kind}")
        if product.get("min_version"):
            line += f", minimum version {product['min_version']}"
            if product.get("version_below_minimum"):
                line += f" (the claim generator says {who.get('claim_generator_version')}, below it)"
        out.append(line + ".")
    else:
        out.append("Its certificate subject matches no product on the C2PA conforming-products list.")
    ts = who.get("timestamp")
    if ts:
        where = ("its certificate is trusted" if ts.get("trusted")
                 else "its certificate is not on a TSA trust list in use")
        out.append(f"Time-stamped by {ts.get('authority') or 'an unnamed authority'}"
                   + (f" at {ts['time']}" if ts.get("time") else "") + f" ({where}).")
    else:
        out.append("The signature carries no time-stamp.")
    return " ".join(out)


def state_words(key: str) -> dict[str, str]:
    s = c2pa_state(key)
    return {"state": s.key, "state_words": s.words, "state_meaning": s.meaning}
