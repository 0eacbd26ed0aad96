"""Matching calls to the truth and the recall / precision / false-positive tables.

A call matches a truth event when both, trimmed of shared bases, have the same (chrom, pos, ref,
alt), or when they make the same haplotype (the same event written differently, e.g. an indel
placed elsewhere in a repeat, or a complex record that spells an MNV).  SNV calls at consecutive
positions are first merged into one MNV call (``bcftools call`` writes an MNV as separate SNVs;
grid events are >= 200 bp apart, so neighbours belong to one event).  Every unmatched PASS call
is a false positive.  Recall strata come from the truth (type, VAF, hotspot); a false positive is
stratified by what it is (its own type, whether it touches a hotspot codon).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from baselines import Call
from grid import HotspotSite, is_hotspot
from variants import Allele, Genome, same_event, trim

TYPES = ("SNV", "MNV", "DEL", "INS")
TYPE_GROUPS = {
    "SNV": ("SNV",),
    "MNV": ("MNV",),
    "DEL": ("DEL",),
    "INS": ("INS",),
    "indel": ("DEL", "INS"),
    "all": ("SNV", "MNV", "DEL", "INS", "COMPLEX"),
}
REGIONS = {"hotspot": (True,), "non_hotspot": (False,), "all": (True, False)}
WINDOW = 60  # bp within which two records may be the same event


@dataclass(frozen=True)
class TruthEvent:
    id: str
    allele: Allele
    vaf: float
    kind: str
    hotspot: bool
    label: str


@dataclass(frozen=True)
class Outcome:
    """One truth event in one patient, seen by one caller."""

    caller: str
    patient: str
    depth: int
    event: TruthEvent
    call: Call | None
    why: str = ""  # for a missed event: FILTER of an overlapping record, or "no record"


@dataclass(frozen=True)
class FalsePositive:
    caller: str
    patient: str
    depth: int
    call: Call
    kind: str
    hotspot: bool
    germline: bool


def truth_events(doc: dict) -> list[TruthEvent]:
    return [
        TruthEvent(
            v["id"],
            trim(Allele(v["chrom"], int(v["pos"]), v["ref"], v["alt"])),
            float(v["vaf"]),
            v["type"],
            bool(v["hotspot"]),
            v["label"],
        )
        for v in doc["somatic"]
    ]


def matches(genome: Genome, a: Allele, b: Allele) -> bool:
    if a == b:
        return True
    if a.chrom != b.chrom or abs(a.pos - b.pos) > WINDOW:
        return False
    return same_event(genome, a, b)


def find_call(genome: Genome, event: Allele, calls: list[Call]) -> Call | None:
    for c in calls:
        if matches(genome, event, c.allele):
            return c
    return None


def _adjacent_snv(prev: Call, c: Call) -> bool:
    a, b = prev.allele, c.allele
    return a.kind == b.kind == "SNV" and a.chrom == b.chrom and b.pos == a.end + 1


def _merged(group: list[Call]) -> Call:
    first = group[0].allele
    allele = Allele(
        first.chrom,
        first.pos,
        "".join(c.allele.ref for c in group),
        "".join(c.allele.alt for c in group),
    )
    weakest = min(group, key=lambda c: c.tumour_alt)
    return Call(
        allele,
        weakest.tumour_alt,
        weakest.tumour_depth,
        max(c.normal_alt for c in group),
        weakest.normal_depth,
    )


def merge_adjacent_snvs(calls: list[Call]) -> list[Call]:
    """Runs of SNV calls at consecutive positions as one MNV call each."""
    groups: list[list[Call]] = []
    for c in sorted(calls, key=lambda c: (c.allele.chrom, c.allele.pos, c.allele.alt)):
        if groups and _adjacent_snv(groups[-1][-1], c):
            groups[-1].append(c)
        else:
            groups.append([c])
    return [g[0] if len(g) == 1 else _merged(g) for g in groups]


def overlaps(a: Allele, b: Allele) -> bool:
    (s1, e1), (s2, e2) = a.changed_span(), b.changed_span()
    return a.chrom == b.chrom and s1 <= e2 and s2 <= e1


def why_missed(event: Allele, records: list[Call]) -> str:
    """FILTERs of the non-PASS records touching the event (or "no record")."""
    reasons = sorted({r.filter for r in records if overlaps(event, r.allele)})
    return ",".join(reasons) or "no record"


def score(
    genome: Genome,
    caller: str,
    patient: str,
    depth: int,
    truth: list[TruthEvent],
    germline: list[Allele],
    sites: list[HotspotSite],
    calls: list[Call],
) -> tuple[list[Outcome], list[FalsePositive]]:
    """Outcome of every truth event and the false positives among ``calls``."""
    passed = [c for c in calls if c.filter == "PASS"]
    rejected = [c for c in calls if c.filter != "PASS"]
    unique = list({c.allele: c for c in merge_adjacent_snvs(passed)}.values())
    outcomes, used = [], set()
    for e in truth:
        c = find_call(genome, e.allele, unique)
        why = "" if c else why_missed(e.allele, rejected)
        outcomes.append(Outcome(caller, patient, depth, e, c, why))
        if c is not None:
            used.add(c.allele)
    fps = [
        FalsePositive(
            caller,
            patient,
            depth,
            c,
            c.allele.kind,
            is_hotspot(c.allele, sites),
            any(matches(genome, g, c.allele) for g in germline),
        )
        for c in unique
        if c.allele not in used and not any(matches(genome, e.allele, c.allele) for e in truth)
    ]
    return outcomes, fps


# ---------------------------------------------------------------- aggregation


def ratio_row(
    caller: str, depth, vaf, kind: str, region: str, metric: str, num: int, den: int
) -> dict:
    return {
        "caller": caller,
        "depth": depth,
        "vaf": vaf,
        "type": kind,
        "region": region,
        "metric": metric,
        "value": round(num / den, 4) if den else "",
        "numerator": num,
        "denominator": den,
    }


def recall_rows(outcomes: list[Outcome]) -> list[dict]:
    """Recall per caller x depth x VAF x type x region, plus 'all' VAF/type/region margins."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        e = o.event
        for vaf in (e.vaf, "all"):
            for group, kinds in TYPE_GROUPS.items():
                if e.kind not in kinds:
                    continue
                for region, hot in REGIONS.items():
                    if e.hotspot in hot:
                        cell = cells[(o.caller, o.depth, vaf, group, region)]
                        cell[0] += o.call is not None
                        cell[1] += 1
    return [ratio_row(*k, "recall", n, d) for k, (n, d) in sorted(cells.items(), key=_key)]


def precision_rows(outcomes: list[Outcome], fps: list[FalsePositive]) -> list[dict]:
    """Precision per caller x depth x type x region (all VAFs: a false positive has no truth
    VAF).  True positives take the truth event's type, false positives their own."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    items = [
        (o.caller, o.depth, o.event.kind, o.event.hotspot, True)
        for o in outcomes
        if o.call is not None
    ]
    items += [(f.caller, f.depth, f.kind, f.hotspot, False) for f in fps]
    for caller, depth, kind, hot, tp in items:
        for group, kinds in TYPE_GROUPS.items():
            if kind not in kinds:
                continue
            for region, hots in REGIONS.items():
                if hot in hots:
                    for d in (depth, "all"):
                        cell = cells[(caller, d, "all", group, region)]
                        cell[0] += tp
                        cell[1] += 1
    return [ratio_row(*k, "precision", n, d) for k, (n, d) in sorted(cells.items(), key=_key)]


def _key(item) -> tuple:
    return tuple(str(x) for x in item[0])


def pooled_recall(outcomes: list[Outcome], caller: str, keep) -> tuple[int, int]:
    sel = [o for o in outcomes if o.caller == caller and keep(o)]
    return sum(o.call is not None for o in sel), len(sel)


def pooled_precision(
    outcomes: list[Outcome], fps: list[FalsePositive], caller: str
) -> tuple[int, int]:
    tp = sum(o.call is not None for o in outcomes if o.caller == caller)
    fp = sum(1 for f in fps if f.caller == caller)
    return tp, tp + fp
