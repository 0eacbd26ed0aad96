"""Matching knowledge-base evidence against a patient's findings (what
:func:`tumorboard.knowledge.tiers.actionability` calls).

Matching is by gene + alteration, never by genomic coordinate (CIViC's 2018 rows are GRCh37, the
findings GRCh38).  AND needs every part of a profile; NOT needs the part to be *evaluably*
absent (its hotspot genotyped and not mutated, its gene's copy number called), otherwise the
profile is "not established" rather than matched.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from tumorboard.knowledge.sources import Evidence, KnowledgeBase
from tumorboard.knowledge.vocabulary import (
    ACTIVATING,
    AMPLIFICATION,
    CODON,
    EXON,
    FRAMESHIFT,
    LOSS,
    MUTATION,
    PROTEIN,
    TRUNCATING,
    WILD_TYPE,
    Alteration,
    And,
    Not,
    Or,
    ProteinChange,
    parse_protein,
)

_TRUNCATING_CSQ = ("splice_acceptor", "splice_donor", "start_lost")
_NOT_CALLED = ("not evaluable", "equivocal")


@dataclass(frozen=True)
class WildType:
    """Whether genes are wild type at every hotspot the workflow genotyped for them."""

    genes: tuple[str, ...]
    established: bool | None  # True: all evaluable and not mutated; False: one mutated
    label: str  # "KRAS/NRAS wild-type (codons 12, 13, 59, 61, 117, 146)"
    reason: str | None  # why not established (None when established)
    refs: tuple[str, ...]  # JSON pointers of the hotspot rows


def _sites(rows: list[dict]) -> str:
    codons = sorted({r["codon"] for r in rows if not r.get("codon_end")})
    exons = sorted({r["label"].split(" ", 1)[1] for r in rows if r.get("codon_end")})
    parts = []
    if codons:
        parts.append(("codon " if len(codons) == 1 else "codons ") + ", ".join(map(str, codons)))
    return "; ".join(parts + exons)


# What a wild-type statement must have tested, per gene (authored; each row cites the guideline
# or label that defines the test).  A gene listed here is wild type when every codon named was
# genotyped, evaluable and not mutated, no protein-altering variant of the gene was called and
# the gene is not homozygously deleted.  A gene not listed needs all its coding exons tested
# (or the exons the evidence item names, e.g. "exons 5-8"): a hotspot panel that genotypes a
# few codons cannot establish that, so such a statement is "not established" and says what was
# not tested.
WILD_TYPE_CODONS: dict[str, tuple[tuple[int, ...], str]] = {
    "KRAS": (
        (12, 13, 59, 61, 117, 146),
        "KRAS and NRAS exons 2, 3 and 4 (codons 12, 13, 59, 61, 117, 146): ASCP/CAP/AMP/ASCO "
        "colorectal guideline (Sepulveda et al., J Clin Oncol 2017); cetuximab and panitumumab "
        "labels (EMA; FDA Vectibix)",
    ),
    "NRAS": (
        (12, 13, 59, 61, 117, 146),
        "KRAS and NRAS exons 2, 3 and 4 (codons 12, 13, 59, 61, 117, 146): ASCP/CAP/AMP/ASCO "
        "colorectal guideline (Sepulveda et al., J Clin Oncol 2017); cetuximab and panitumumab "
        "labels (EMA; FDA Vectibix)",
    ),
    "BRAF": (
        (600,),
        "BRAF p.V600 (codon 600): ASCP/CAP/AMP/ASCO colorectal guideline (Sepulveda et al., "
        "J Clin Oncol 2017)",
    ),
}
WHOLE_GENE = "all coding exons"
_EXONS_NAMED = re.compile(r"\bexons?\s+(\d+(?:\s*(?:-|–|to|through|and|,)\s*\d+)*)", re.I)


def exons_named(text: str | None) -> str | None:
    """The exons an evidence item's statement says were tested ("exons 5-8"), or None."""
    m = _EXONS_NAMED.search(text or "")
    if not m:
        return None
    span = re.sub(r"\s*(?:-|–|to|through)\s*", "-", m.group(1))
    return ("exon " if span.isdigit() else "exons ") + span


def _codon_list(codons) -> str:
    codons = sorted(set(codons))
    return ("codon " if len(codons) == 1 else "codons ") + ", ".join(map(str, codons))


def required_regions(gene: str, tested: str | None = None) -> str:
    """What a wild-type statement about ``gene`` must cover (``tested``: what the evidence
    item says it tested, used for genes without an authored codon list)."""
    if gene in WILD_TYPE_CODONS:
        return _codon_list(WILD_TYPE_CODONS[gene][0])
    return tested or WHOLE_GENE


def wild_type_status(
    genes: list[str] | tuple[str, ...],
    hotspots: list[dict],
    variants: list[dict] = (),
    copy_number: list[dict] = (),
    tested: str | None = None,
) -> WildType:
    """Wild type is stated only for what the evidence tested (:func:`required_regions`): every
    required codon genotyped, evaluable and not detected.  A hotspot allele seen and filtered by
    the caller ("detected, filtered") leaves it not established, with that reason.  A detected
    hotspot, any
    protein-altering variant of the gene in ``variants`` (the findings' variants) or a
    homozygous deletion in ``copy_number`` refutes it; anything else leaves it not established,
    with what was not tested or not evaluable, as does an amplification of the gene."""
    genes = tuple(dict.fromkeys(genes))
    per_gene = {g: [(i, h) for i, h in enumerate(hotspots) if h["gene"] == g] for g in genes}
    need = {g: WILD_TYPE_CODONS[g][0] if g in WILD_TYPE_CODONS else None for g in genes}
    rows = {
        g: [(i, h) for i, h in per_gene[g] if not h.get("codon_end") and h["codon"] in need[g]]
        if need[g] is not None
        else []
        for g in genes
    }
    groups: dict[str, list[str]] = {}
    for g in genes:
        groups.setdefault(required_regions(g, tested), []).append(g)
    label = " and ".join(f"{'/'.join(gs)} wild-type ({sites})" for sites, gs in groups.items())
    refs = tuple(f"/hotspots/{i}" for g in genes for i, _ in rows[g])
    detected = [
        f"{h['label']} ({h.get('variant') or 'detected'})"
        for g in genes
        for _, h in per_gene[g]
        if h["status"] == "detected"
    ]
    for v in variants:
        name = v.get("protein_short") or v.get("hgvs_p")
        if v["gene"] in genes and protein_altering(v, parse_protein(name) if name else None):
            detected.append(f"{v['gene']} {name or v.get('hgvs_c') or 'variant'}")
    detected += [
        f"{c['gene']} homozygous deletion"
        for c in copy_number
        if c["gene"] in genes and c.get("call") == "homozygous deletion"
    ]
    if detected:
        found = ", ".join(dict.fromkeys(detected))
        return WildType(genes, False, label, f"mutated or deleted: {found}", refs)
    # an allele seen in the tumour and filtered by the caller (e.g. as a normal artefact, when
    # the normal is the tumour's own sample) is not evidence of wild type
    seen = [
        f"{h['label']} {h.get('variant') or 'allele'} detected, filtered "
        f"({h.get('filters') or 'filtered'})"
        for g in genes
        for _, h in per_gene[g]
        if h["status"] == "detected, filtered"
    ]
    # an amplified gene is not wild type in the sense the evidence uses it (KRAS amplification
    # is itself an anti-EGFR resistance mechanism): the statement is not made either way
    problems = seen + [
        f"{c['gene']} amplified (wild type at the codons tested, but the gene is altered)"
        for c in copy_number
        if c["gene"] in genes and c.get("call") == "amplified"
    ]
    for g in genes:
        got = [h for _, h in rows[g]]
        if need[g] is None:
            seen = [h for _, h in per_gene[g] if h["status"] == "not detected"]
            what = f"only {g} {_sites(seen)} were genotyped" if seen else f"no {g} site was"
            problems.append(
                f"{g} wild type needs {required_regions(g, tested)} tested; {what} "
                f"(the rest of {g} was not tested for wild type)"
            )
            continue
        missing = sorted(set(need[g]) - {h["codon"] for h in got})
        if missing:
            problems.append(f"{g} {_codon_list(missing)} not genotyped by this panel")
        bad = [h for h in got if h["status"] not in ("not detected", "detected, filtered")]
        if bad:
            why = sorted({h.get("reason") or h["status"] for h in bad})
            problems.append(f"{g} {_sites(bad)} not evaluable ({'; '.join(why)})")
    if problems:
        return WildType(genes, None, label, "; ".join(problems), refs)
    return WildType(genes, True, label, None, refs)


class FindingsContext:
    """A findings document indexed for matching (variants, copy number, hotspots by gene)."""

    def __init__(self, findings: dict) -> None:
        self.hotspots: list[dict] = findings.get("hotspots", [])
        self.variants: list[tuple[str, dict, ProteinChange | None]] = []
        for i, v in enumerate(findings.get("variants", [])):
            pc = None
            for name in (v.get("protein_short"), v.get("hgvs_p")):
                if name and (pc := parse_protein(name)) is not None:
                    break
            self.variants.append((f"/variants/{i}", v, pc))
        self.cn_rows: list[dict] = findings.get("copy_number", [])
        self.tested: str | None = None  # exons the evidence item being matched names as tested
        self.copy_number = {
            c["gene"]: (f"/copy_number/{i}", c["call"])
            for i, c in enumerate(findings.get("copy_number", []))
        }
        self.genes = (
            {v["gene"] for _, v, _ in self.variants}
            | set(self.copy_number)
            | {h["gene"] for h in self.hotspots}
        )

    def gene_variants(self, gene: str):
        return [(r, v, pc) for r, v, pc in self.variants if v["gene"] == gene]

    def wild_type(self, gene: str) -> WildType:
        return wild_type_status(
            [gene], self.hotspots, [v for _, v, _ in self.variants], self.cn_rows, self.tested
        )


def protein_altering(v: dict, pc: ProteinChange | None) -> bool:
    if pc is not None and not pc.synonymous:
        return True
    return any(k in (v.get("consequence") or "") for k in _TRUNCATING_CSQ + ("stop_lost",))


def _truncating(v: dict, pc: ProteinChange | None) -> bool:
    if pc is not None and (pc.kind == "fs" or pc.nonsense):
        return True
    return any(k in (v.get("consequence") or "") for k in _TRUNCATING_CSQ)


def _exon_event(a: Alteration, v: dict, pc: ProteinChange | None) -> bool:
    if v.get("exon") != a.exon or not protein_altering(v, pc):
        return False
    if a.event == "mutation":
        return True
    if pc is None:
        return False
    c = pc.canonical()
    span = c.end - c.start + 1
    if a.event == "deletion":
        return c.kind == "del" or (c.kind == "delins" and len(c.alt) < span)
    if a.event == "insertion":
        return c.kind in ("ins", "dup") or (c.kind == "delins" and len(c.alt) > span)
    if a.event == "frameshift":
        return c.kind == "fs"
    return c.kind == "sub" and not c.synonymous and not c.nonsense  # missense


def present(a: Alteration, ctx: FindingsContext) -> list[tuple[str, bool]]:
    """Findings (JSON pointer, specific?) that carry alteration ``a``.

    ``specific`` is False when the evidence names any mutation of a gene ("mutation",
    "activating mutation") or of an exon ("exon 2 mutation") rather than this change: such
    evidence is often about the common activating changes and says nothing about, say, a
    resistance mutation or a variant of unknown function (an exon-level "mutation" is specific
    for a variant at a known hotspot).  Tiers cap non-specific evidence at Tier II."""
    out: list[tuple[str, bool]] = []
    if a.kind in (AMPLIFICATION, LOSS, TRUNCATING):
        ref, call = ctx.copy_number.get(a.gene, (None, None))
        if ref and (
            (a.kind == AMPLIFICATION and call == "amplified")
            or (a.kind == LOSS and call in ("loss", "homozygous deletion"))
            or (a.kind == TRUNCATING and call == "homozygous deletion")
        ):
            out.append((ref, True))
        if a.kind != TRUNCATING:
            return out
    for ref, v, pc in ctx.gene_variants(a.gene):
        hit, specific = False, True
        if a.kind == PROTEIN:
            hit = pc is not None and any(c.same_as(pc) for c in a.changes)
        elif a.kind == CODON:
            hit = (
                pc is not None
                and (pc.kind == "sub" and not pc.synonymous and not pc.nonsense
                     or pc.kind == "delins")
                and any(c == pc.start and (not r or not pc.ref or r == pc.ref)
                        for r, c in a.codons)
            )  # fmt: skip
        elif a.kind == EXON:
            hit = _exon_event(a, v, pc)
            specific = a.event != "mutation" or bool(v.get("hotspot"))
        elif a.kind == MUTATION:
            hit, specific = protein_altering(v, pc), False
        elif a.kind == ACTIVATING:
            hit, specific = protein_altering(v, pc) and bool(v.get("hotspot")), False
        elif a.kind == TRUNCATING:
            hit = _truncating(v, pc)
        elif a.kind == FRAMESHIFT:
            hit = pc is not None and pc.kind == "fs"
        if hit:
            out.append((ref, specific))
    return out


def _covering_hotspots(a: Alteration, ctx: FindingsContext) -> list[dict] | None:
    """Hotspot rows that genotype every codon ``a`` names (None if some codon has none)."""
    rows = [h for h in ctx.hotspots if h["gene"] == a.gene]
    if a.kind == EXON:
        want = f"{a.gene} exon {a.exon} {a.event}"
        hit = [h for h in rows if h["label"] == want]
        return hit or None
    codons = [c for _, c in a.codons] or [c.start for c in a.changes]
    out = []
    for c in codons:
        cover = [h for h in rows if h["codon"] <= c <= (h.get("codon_end") or h["codon"])]
        if not cover:
            return None
        out += cover
    return out


def absent(a: Alteration, ctx: FindingsContext) -> tuple[bool | None, str | None]:
    """Is ``a`` evaluably absent?  (True, None) when it was looked for and not found; (None,
    reason) when the workflow could not have seen it.  Only called when ``a`` is not present."""
    if a.kind in (AMPLIFICATION, LOSS):
        _, call = ctx.copy_number.get(a.gene, (None, None))
        if call is None or call in _NOT_CALLED:
            return None, f"{a.gene} copy number {call or 'not called'}"
        return True, None
    if a.kind in (PROTEIN, CODON, EXON):
        rows = _covering_hotspots(a, ctx)
        if rows is None:
            return None, f"{a.label} is not a genotyped hotspot"
        seen = [h for h in rows if h["status"] == "detected, filtered"]
        if seen:
            return None, "; ".join(
                f"{h['label']}: {h.get('variant') or 'an allele'} detected, filtered "
                f"({h.get('filters') or 'filtered'})"
                for h in seen
            )
        bad = [h for h in rows if h["status"] == "not evaluable"]
        if bad:
            why = sorted({h.get("reason") or "not evaluable" for h in bad})
            return None, f"{a.label}: {', '.join(h['label'] for h in bad)} {'; '.join(why)}"
        return True, None
    if a.kind in (MUTATION, ACTIVATING):
        wt = ctx.wild_type(a.gene)
        return (True, None) if wt.established else (None, wt.reason)
    return None, f"{a.label}: {a.reason or 'absence cannot be established from a panel'}"


@dataclass
class Result:
    """Three-valued outcome of a profile: state True (present), False (absent), None (not
    established); ``sets`` lists the findings (JSON pointers, ``wt:GENE`` for wild type) of each
    way it is present; ``how`` says how each finding matched."""

    state: bool | None
    sets: list[frozenset] = field(default_factory=list)
    how: dict[str, tuple[str, bool]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def evaluate(expr, ctx: FindingsContext, strict: bool = False) -> Result:
    """``strict`` (inside NOT): an absent alteration is False only when evaluably absent."""
    if isinstance(expr, Alteration):
        return _evaluate_alteration(expr, ctx, strict)
    if isinstance(expr, Not):
        inner = evaluate(expr.arg, ctx, strict=True)
        if inner.state is None:
            return Result(None, reasons=inner.reasons)
        return Result(not inner.state, [frozenset()] if not inner.state else [])
    parts = [evaluate(a, ctx, strict) for a in expr.args]
    reasons = [r for p in parts if p.state is None for r in p.reasons]
    how: dict[str, tuple[str, bool]] = {}
    for p in parts:
        how.update(p.how)
    if isinstance(expr, Or):
        true = [p for p in parts if p.state]
        if true:
            return Result(True, [s for p in true for s in p.sets], how)
        if any(p.state is None for p in parts):
            return Result(None, reasons=reasons)
        return Result(False)
    if any(p.state is False for p in parts):
        return Result(False)
    if any(p.state is None for p in parts):
        return Result(None, reasons=reasons)
    sets = [frozenset().union(*combo) for combo in itertools.product(*(p.sets for p in parts))]
    return Result(True, sets, how)


def _evaluate_alteration(a: Alteration, ctx: FindingsContext, strict: bool) -> Result:
    if a.kind == WILD_TYPE:
        wt = ctx.wild_type(a.gene)
        if wt.established:
            mark = f"wt:{a.gene}"
            return Result(True, [frozenset({mark})], {mark: (WILD_TYPE, True)})
        if wt.established is False:
            return Result(False)
        return Result(None, reasons=[wt.reason or f"{a.gene} wild type not established"])
    hits = present(a, ctx)
    if hits:
        how = {ref: (a.kind, specific) for ref, specific in hits}
        return Result(True, [frozenset({ref}) for ref, _ in hits], how)
    if not strict:
        return Result(False)
    state, reason = absent(a, ctx)
    return Result(False) if state else Result(None, reasons=[reason or a.label])


@dataclass
class Match:
    record: Evidence
    result: Result


def excluded_by(expr, ctx: FindingsContext) -> tuple[Result, list[tuple[str, list[str]]]] | None:
    """For a profile ``A AND NOT B`` (an indication that excludes a co-alteration, e.g. a
    HER2-negative label: ``PIK3CA H1047R AND NOT ERBB2 amplification``) that is absent only
    because ``B`` is present: the result of its positive parts (``A``, present) and, per
    excluding part, (its profile, the findings present).  None for anything else."""
    if type(expr) is not And:
        return None
    nots = [a for a in expr.args if isinstance(a, Not)]
    rest = [a for a in expr.args if not isinstance(a, Not)]
    if not nots or not rest:
        return None
    positive = evaluate(rest[0] if len(rest) == 1 else And(tuple(rest)), ctx)
    if not positive.state:
        return None
    present_parts = []
    for n in nots:
        inner = evaluate(n.arg, ctx, strict=True)
        if inner.state:
            refs = sorted({r for s in inner.sets for r in s if r.startswith("/")})
            present_parts.append((_profile_text(n.arg), refs))
    return (positive, present_parts) if present_parts else None


def _profile_text(expr) -> str:
    if isinstance(expr, Alteration):
        return expr.label
    if isinstance(expr, Not):
        return f"NOT {_profile_text(expr.arg)}"
    op = " OR " if isinstance(expr, Or) else " AND "
    return "(" + op.join(_profile_text(a) for a in expr.args) + ")"


@dataclass
class Excluded:
    """A record whose indication excludes a co-alteration the patient has (:func:`excluded_by`):
    ``result`` is its positive parts, ``excluding`` (profile, findings present) per NOT part."""

    record: Evidence
    result: Result
    excluding: list[tuple[str, list[str]]]


def match(kb: KnowledgeBase, findings: dict, excluded: list[Excluded] | None = None) -> list[Match]:
    """Every record whose profile is present in ``findings``, or whose presence cannot be
    established (state None: a wild-type or NOT part not evaluable).  Records absent only
    because a co-alteration their indication excludes is present are appended to
    ``excluded`` (when given), so that the report can say why they do not apply."""
    ctx = FindingsContext(findings)
    out = []
    for rec in kb.records:
        genes = rec.genes()
        if not any(g in ctx.genes for g in genes):
            continue
        ctx.tested = exons_named(rec.statement)
        res = evaluate(rec.expression, ctx)
        if res.state is False:
            if excluded is not None and (hit := excluded_by(rec.expression, ctx)):
                excluded.append(Excluded(rec, *hit))
            continue
        out.append(Match(rec, res))
    return out
