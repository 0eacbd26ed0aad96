"""Patient-level rules over the matched evidence (issue 12, items 2 and 3), applied by
:func:`tumorboard.knowledge.tiers.actionability` before the tiers are set:

1. **Specific over generic.**  When a variant has variant-specific evidence (its change, codon,
   or an exon event at a known hotspot) about a drug, evidence for that drug that names any
   mutation of the gene or exon is set aside for that variant: "EGFR mutation -> erlotinib
   sensitivity" says nothing about T790M, whose own evidence is resistance.
2. **Co-alteration gates** (``gating_rules.tsv`` next to this module, authored with sources):
   sensitivity evidence for a therapy that needs, say, RAS wild type is not a therapy option for
   a RAS-mutant colorectal cancer; it is set aside with its reason ("not for this patient:
   requires RAS wild type; KRAS p.G12D present"), whatever its source (CIViC or the authored
   table).
3. **One line per drug.**  When the same therapy has counted sensitivity and resistance evidence
   for this patient, the direction of the stronger evidence (better tier: level A/B in the
   patient's tumour type beats a lower level or another type; at equal tier, variant-specific
   before generic, then resistance) is kept; the other is set aside, and the kept line says why.
4. **Unusual combinations** (``flag`` rules, e.g. BRAF V600E with a RAS hotspot mutation) are
   listed for confirmation.

Set-aside evidence stays in the findings with ``counts`` false and its ``set_aside`` reason.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from tumorboard.knowledge.matching import FindingsContext, evaluate, wild_type_status
from tumorboard.knowledge.therapies import lines as therapy_lines
from tumorboard.knowledge.therapies import normalise
from tumorboard.knowledge.tumour_types import SAME_TYPE
from tumorboard.knowledge.vocabulary import parse_profile

DEFAULT_RULES = files("tumorboard.knowledge") / "gating_rules.tsv"
RESISTANCE = ("resistance", "reduced sensitivity")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str  # gate | flag
    tumour_type: str
    drugs: frozenset[str]
    unless_drugs: frozenset[str]
    when: str
    requirement: str
    source: str


def load_rules(path: str | Path = DEFAULT_RULES) -> list[Rule]:
    lines = [ln for ln in Path(path).read_text().splitlines() if ln and not ln.startswith("#")]
    out = []
    for r in csv.DictReader(lines, delimiter="\t"):

        def names(text: str) -> frozenset[str]:
            # each name as the therapies module normalises it: any spelling of a drug works
            return frozenset(normalise(d).name.lower() for d in (text or "").split("|")
                             if d.strip())  # fmt: skip

        parse_profile(r["when"])  # a rule that cannot be read fails here, not per patient
        out.append(
            Rule(r["id"], r["kind"], r["tumour_type"].strip(), names(r["drugs"]),
                 names(r["unless_drugs"]), r["when"], r["requirement"], r["source"])
        )  # fmt: skip
    return out


def drugs(e: dict) -> frozenset[str]:
    """The normalised drugs of an evidence entry (:mod:`tumorboard.knowledge.therapies`: never
    read back from the therapy line, whose names may contain "/"; non-drugs left out)."""
    return frozenset(e["drugs"])


def set_aside(e: dict, reason: str) -> None:
    """Evidence entry ``e`` no longer counts for this patient, for ``reason``."""
    e.update(counts=False, tier=None, tier_level=None, set_aside=reason, _rank=99)


def _present(rule: Rule, ctx: FindingsContext, label: Callable[[str], str]) -> list[str] | None:
    res = evaluate(parse_profile(rule.when), ctx)
    if not res.state:
        return None
    refs = sorted({r for s in res.sets for r in s if r.startswith("/")})
    return [label(r) for r in refs]


def specific_over_generic(items: list[dict]) -> None:
    """Rule 1, per variant finding."""
    for it in items:
        if it["kind"] != "variant":
            continue
        specific: dict[str, list[str]] = {}
        for e in it["evidence"]:
            if e["counts"] and e["specific"]:
                for d in drugs(e):
                    specific.setdefault(d, []).append(e["id"])
        for e in it["evidence"]:
            shared = sorted(drugs(e) & specific.keys())
            if e["counts"] and not e["specific"] and shared:
                ids = ", ".join(dict.fromkeys(i for d in shared for i in specific[d]))
                set_aside(e, f"generic ({e['profile']}): evidence specific to "
                              f"{it['alteration']} about {', '.join(shared)} takes precedence "
                              f"({ids})")  # fmt: skip


def rule_genes(rule: Rule) -> list[str]:
    """The genes a rule's condition names ("KRAS G12/G13 OR NRAS Q61" -> KRAS, NRAS)."""
    terms = re.split(r"\s+(?:AND|OR|NOT)\s+|[()]", rule.when)
    return list(dict.fromkeys(t.split()[0] for t in terms if t.strip()))


def _undecided(rule: Rule, ctx: FindingsContext) -> str | None:
    """Why a gate's condition could not be ruled out: its genes' wild type is not established
    (codons not evaluable or not genotyped, a VCF without reads); None when it was."""
    genes = rule_genes(rule)
    status = wild_type_status(genes, ctx.hotspots,
                              [v for _, v, _ in ctx.variants], ctx.cn_rows)  # fmt: skip
    if status.established:
        return None
    return f"{'/'.join(genes)} wild type not established"


def caveats(items: list[dict], rules: list[Rule], ctx: FindingsContext,
            lineage: list[str]) -> dict[str, str]:  # fmt: skip
    """After the gates and the reconciliation: {therapy line (lower case): note} for each line
    still counted as a *sensitivity* whose gate could not be decided (the codons it needs not
    evaluable): the line stays, saying what to confirm before use; the wild-type row on the
    same page says why it is not established."""
    out: dict[str, str] = {}
    for rule in rules:
        if rule.kind != "gate" or rule.tumour_type not in lineage:
            continue
        why = _undecided(rule, ctx)
        if why is None:
            continue
        note = f"confirm first: {rule.requirement}; {why} ({rule.id})"
        for _, e in _sensitivity_to(rule, items):
            for line in therapy_lines(e):
                out.setdefault(line.lower(), note)
    return out


def _sensitivity_to(rule: Rule, items: list[dict]):
    """(item, evidence) pairs a gate speaks to: counted sensitivity evidence naming one of its
    drugs and none of its exemptions."""
    for it in items:
        for e in it["evidence"]:
            ds = drugs(e)
            if (e["counts"] and e["response"] == "sensitivity" and ds & rule.drugs
                    and not ds & rule.unless_drugs):  # fmt: skip
                yield it, e


def gate(items: list[dict], rules: list[Rule], ctx: FindingsContext, lineage: list[str],
         label: Callable[[str], str]) -> None:  # fmt: skip
    """Rule 2: ``lineage`` is the patient's tumour type and its ancestors (codes).  A gate whose
    condition cannot be decided sets nothing aside (:func:`caveats` marks the lines)."""
    for rule in rules:
        if rule.kind != "gate" or rule.tumour_type not in lineage:
            continue
        present = _present(rule, ctx, label)
        if not present:
            continue
        reason = f"not for this patient: {rule.requirement}; {', '.join(present)} present"
        for it, e in list(_sensitivity_to(rule, items)):
            set_aside(e, f"{reason} ({rule.id})")
            it.setdefault("set_aside", []).append(
                {"therapy": e["therapy"], "response": e["response"], "kind": "gated",
                 "rule": rule.id, "reason": f"{reason} ({rule.id})", "evidence": e["id"]}
            )  # fmt: skip


def _tier_text(e: dict, tier_text: Callable[[dict], str]) -> str:
    return f"{e['id']}, {tier_text(e)}"


def reconcile(items: list[dict], tier_text: Callable[[dict], str]) -> dict[str, str]:
    """Rule 3.  Returns {therapy (lower case): the note for its kept line}."""
    by_therapy: dict[str, list[tuple[dict, dict]]] = {}
    for it in items:
        if it["status"] != "established":
            continue
        for e in it["evidence"]:
            if e["counts"]:
                for line in therapy_lines(e):
                    by_therapy.setdefault(line.lower(), []).append((it, e))
    notes = {}
    decisions: list[tuple[list[tuple[dict, dict]], str]] = []
    for therapy, pairs in by_therapy.items():
        if not any(e["tumour_type_match"] in SAME_TYPE for _, e in pairs):
            continue  # other tumour types only: page 1 names their sensitivity, no direction
        sens = [p for p in pairs if p[1]["response"] == "sensitivity"]
        res = [p for p in pairs if p[1]["response"] in RESISTANCE]
        if not sens or not res:
            continue

        bs, br = (min((e for _, e in side), key=lambda e: (e["_rank"], not e["specific"]))
                  for side in (sens, res))  # fmt: skip
        keep_res = (br["_rank"], not br["specific"]) <= (bs["_rank"], not bs["specific"])
        dropped = sens if keep_res else res
        k, d = (br, bs) if keep_res else (bs, br)
        finding = {id(e): it["alteration"] for it, e in pairs}
        why = (
            f"one line for this patient: {k['response']} ({_tier_text(k, tier_text)}, "
            f"{k['disease']}) outweighs {d['response']} ({_tier_text(d, tier_text)}, "
            f"{d['disease']}{'' if finding[id(d)] == finding[id(k)] else '; ' + finding[id(d)]})"
        )
        notes[therapy] = why + (" (resistance is kept at equal strength)" if keep_res and
                                br["_rank"] == bs["_rank"] else "")  # fmt: skip
        decisions.append((dropped, why))
    # applied once every line is decided: an alternatives item ("a or b") meets two lines, and
    # the second must see its tier, not the first decision's set-aside
    for dropped, why in decisions:
        for it, e in dropped:
            if e.get("set_aside"):
                continue
            set_aside(e, f"reconciled: {why}")
            it.setdefault("set_aside", []).append(
                {"therapy": e["therapy"], "response": e["response"], "kind": "reconciled",
                 "rule": None, "reason": f"reconciled: {why}", "evidence": e["id"]}
            )  # fmt: skip
    return notes


def flags(rules: list[Rule], ctx: FindingsContext, lineage: list[str] | None,
          label: Callable[[str], str]) -> list[dict]:  # fmt: skip
    """Rule 4: unusual combinations present in the findings, for confirmation (``lineage``: the
    patient's tumour type and its ancestors; None when unknown: only rules for any type)."""
    out = []
    for rule in rules:
        if rule.kind != "flag" or (rule.tumour_type and rule.tumour_type not in (lineage or [])):
            continue
        res = evaluate(parse_profile(rule.when), ctx)
        if not res.state:
            continue
        refs = sorted({r for s in res.sets for r in s if r.startswith("/")})
        out.append({"rule": rule.id, "finding": refs,
                    "alterations": " + ".join(label(r) for r in refs),
                    "note": rule.requirement, "source": rule.source})  # fmt: skip
    return out
