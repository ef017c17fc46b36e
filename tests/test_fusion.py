from synthcheck.fusion import contradictions, fuse
from synthcheck.model import Claim, ErrorCode, FileError, Finding, Kind, Label, Strength


def f(detector="d", kind=Kind.SIGNAL, strength=Strength.WEAK, score=None, claim=None, **ev):
    return Finding(detector, "1", kind, strength, "an explanation", score=score, claim=claim, evidence=ev)


def test_no_findings_is_no_evidence_never_authentic():
    v = fuse([], [], fatal=False)
    assert v.label is Label.NO_EVIDENCE
    assert "authentic" in v.summary and "does not show" in v.summary


def test_decisive_provenance_wins_over_signals():
    v = fuse([f(kind=Kind.PROVENANCE, strength=Strength.DECISIVE, claim=Claim.AI_GENERATED, score=1.0),
              f(score=0.1)], [], fatal=False)
    assert (v.label, v.basis) == (Label.AI_GENERATED, "provenance")


def test_signal_thresholds():
    assert fuse([f(score=0.95)], [], fatal=False).label is Label.LIKELY
    assert fuse([f(score=0.7)], [], fatal=False).label is Label.POSSIBLY
    assert fuse([f(score=0.2)], [], fatal=False).label is Label.NO_EVIDENCE


def test_unstable_signal_is_inconclusive():
    v = fuse([f(score=0.65, unstable=True, unstable_reason="q85 re-encode moves 0.65 to 0.4")], [], fatal=False)
    assert v.label is Label.INCONCLUSIVE and "q85" in v.summary


def test_capture_claim_is_context_not_authenticity():
    v = fuse([f(kind=Kind.PROVENANCE, strength=Strength.INFO, claim=Claim.CAPTURE)], [], fatal=False)
    assert v.label is Label.NO_EVIDENCE


def test_contradiction_between_sources():
    cap = f(detector="c2pa", kind=Kind.PROVENANCE, strength=Strength.INFO, claim=Claim.CAPTURE, source="c2pa")
    ai = f(detector="metadata", kind=Kind.PROVENANCE, strength=Strength.DECISIVE, claim=Claim.AI_GENERATED)
    found = contradictions([cap, ai])
    assert len(found) == 1 and found[0].detector == "contradiction" and found[0].strength is Strength.STRONG
    assert "c2pa" in found[0].explanation and "metadata" in found[0].explanation


def test_one_manifest_history_is_not_a_contradiction():
    cap = f(detector="c2pa", kind=Kind.PROVENANCE, strength=Strength.INFO, claim=Claim.CAPTURE, source="c2pa")
    edit = f(detector="c2pa", kind=Kind.PROVENANCE, strength=Strength.DECISIVE, claim=Claim.AI_EDITED, source="c2pa")
    assert contradictions([cap, edit]) == []


def test_capture_then_ai_edit_from_other_source_is_not_a_contradiction():
    cap = f(detector="metadata", kind=Kind.PROVENANCE, strength=Strength.INFO, claim=Claim.CAPTURE)
    edit = f(detector="c2pa", kind=Kind.PROVENANCE, strength=Strength.DECISIVE, claim=Claim.AI_EDITED, source="c2pa")
    assert contradictions([cap, edit]) == []


def test_contradiction_alone_is_inconclusive_and_tampering_too():
    cap = f(detector="c2pa", kind=Kind.PROVENANCE, strength=Strength.INFO, claim=Claim.CAPTURE, source="c2pa")
    ai = f(detector="watermark", kind=Kind.PROVENANCE, strength=Strength.MODERATE, claim=Claim.AI_GENERATED)
    found = [cap, ai, *contradictions([cap, ai])]
    assert fuse(found, [], fatal=False).label is Label.INCONCLUSIVE
    tam = f(detector="c2pa", kind=Kind.PROVENANCE, strength=Strength.STRONG, claim=Claim.TAMPERED)
    assert fuse([tam], [], fatal=False).label is Label.INCONCLUSIVE


def test_fatal_error_label():
    v = fuse([], [FileError(ErrorCode.TRUNCATED, "cut short")], fatal=True)
    assert v.label is Label.ERROR and "truncated" in v.summary and v.score is None


def test_an_advisory_finding_is_listed_but_never_sets_the_verdict():
    from synthcheck.detector import ADVISORY_KEY

    adv = Finding("frequency", "1.1.0", Kind.SIGNAL, Strength.WEAK, "Grid peaks.", score=0.97,
                  evidence={ADVISORY_KEY: "inverted on held-out generators"})
    assert fuse([adv], [], fatal=False).label is Label.NO_EVIDENCE
    counted = Finding("learned", "2.0.0", Kind.SIGNAL, Strength.MODERATE, "Too clean.", score=0.7)
    v = fuse([adv, counted], [], fatal=False)
    assert v.label is Label.POSSIBLY and v.score == 0.7 and "learned" in v.summary


def test_one_finding_can_be_advisory_while_its_detector_is_not():
    """Detector.finding(advisory=...): learned is counted on stills and advisory on video."""
    from synthcheck.detector import ADVISORY_KEY, Detector

    class Mixed(Detector):
        id = "mixed"
        version = "1.0"
        media = frozenset({"image", "video"})

    det = Mixed(None)
    plain = det.finding("High.", strength=Strength.STRONG, score=0.95)
    ctx = det.finding("High.", strength=Strength.STRONG, score=0.95, advisory="inverted on re-encoded video")
    assert ADVISORY_KEY not in plain.evidence and plain.strength is Strength.STRONG
    assert ctx.evidence[ADVISORY_KEY] == "inverted on re-encoded video" and ctx.strength is Strength.WEAK
    assert "Context only" in ctx.explanation
    assert fuse([ctx], [], fatal=False).label is Label.NO_EVIDENCE
    assert fuse([plain], [], fatal=False).label is Label.LIKELY
