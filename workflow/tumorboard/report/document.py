"""The report's view model: the findings document (``tumorboard/schemas/findings.schema.json``),
validated, and turned into the rows and sentences the report shows, already formatted as strings.

Hard rule: a hotspot is never reported as "not detected" without its depth and limit of detection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib.resources import files

import jsonschema
from markupsafe import Markup

from tumorboard.copynumber.calls import Settings, format_copies
from tumorboard.knowledge import oncogenicity
from tumorboard.knowledge import sources as kb_sources
from tumorboard.knowledge.sources import BIOMARKERS
from tumorboard.knowledge.therapies import lines as therapy_lines
from tumorboard.knowledge.tumour_types import SAME_TYPE

_PARENTHESES = re.compile(r" \([^)]*\)")

SCHEMA_PATH = files("tumorboard") / "schemas" / "findings.schema.json"

BANNER = "Research use only — not for clinical decision-making"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
DASH = "—"


# --------------------------------------------------------------------------- validation


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(path: Iterable) -> str:
    parts = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return "findings" + parts


def validate_findings(findings: dict) -> None:
    """Raise ValueError (one line, naming the first problem) unless ``findings`` is valid."""
    schema = load_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(
        validator.iter_errors(findings), key=lambda e: [(type(p).__name__, p) for p in e.path]
    )
    if errors:
        first = errors[0]
        message = " ".join(first.message.split())
        raise ValueError(f"invalid findings at {_where(first.path)}: {message}")
    for i, hotspot in enumerate(findings["hotspots"]):
        if hotspot["status"] == "not detected" and hotspot["lod_vaf"] is None:
            raise ValueError(
                f"invalid findings at findings.hotspots[{i}]: status 'not detected' requires "
                f"lod_vaf ({hotspot['label']}); a negative finding needs its limit of detection"
            )


# --------------------------------------------------------------------------- formatting


def pct(fraction: float | None, digits: int = 1) -> str:
    return DASH if fraction is None else f"{fraction * 100:.{digits}f}%"


def depth_x(depth: float | None, digits: int = 0) -> str:
    return DASH if depth is None else f"{depth:.{digits}f}x"


def num(value: float | None, digits: int = 2, signed: bool = False) -> str:
    if value is None:
        return DASH
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def ratio(alt: int | None, depth: int | None) -> str:
    return "n/a" if alt is None or depth is None else f"{alt} / {depth}"


# --------------------------------------------------------------------------- view model


def _purity_text(findings: dict) -> str:
    """The sheet's purity, or the copy-number stage's estimate with its interval and source."""
    if findings.get("purity") is not None:
        return f"{pct(findings['purity'], 0)} (sample sheet)"
    for r in findings["copy_number"]:
        if r.get("purity") is not None:
            lo, hi = r.get("purity_ci_low"), r.get("purity_ci_high")
            ci = "" if lo is None or hi is None else f", interval {pct(lo, 0)}–{pct(hi, 0)}"
            return f"not given; estimated {pct(r['purity'], 0)}{ci} ({r.get('purity_source')})"
    return "unknown (not given in the sample sheet, and not estimable)"


def _header(findings: dict) -> dict:
    qc = findings["qc"]
    return {
        "patient": findings["patient"],
        "tumour_sample": findings["tumour_sample"],
        "normal_sample": findings.get("normal_sample") or "none (tumour-only)",
        "tumour_only": not findings.get("normal_sample") and not findings.get("input"),
        "tumour_type": findings["tumour_type"],
        "purity": _purity_text(findings),
        "qc_pass": qc["verdict"] == "pass",
        "qc_fail": qc["verdict"] == "fail",
        "imported_vcf": (findings.get("input") or {}).get("vcf"),
        "qc_verdict": qc["verdict"].upper(),
        "qc_reasons": list(qc["reasons"]),
        "build": findings["reference"]["build"],
        "transcripts": findings["reference"]["transcripts"],
    }


def _thresholds(findings: dict) -> dict:
    t = findings["thresholds"]
    return {
        "min_depth": depth_x(t["min_depth"]),
        "min_alt_reads": str(t["min_alt_reads"]),
        "hotspot_min_alt_reads": str(t.get("hotspot_min_alt_reads", t["min_alt_reads"])),
        "min_vaf": pct(t["min_vaf"]),
        "hotspot_min_vaf": pct(t.get("hotspot_min_vaf", t["min_vaf"])),
        "lod_probability": pct(t["lod_probability"], 0),
    }


def _variant_row(v: dict) -> dict:
    return {
        "gene": v["gene"],
        "protein_short": v.get("protein_short") or DASH,
        "hgvs_p": v.get("hgvs_p") or "",
        "cdna": f"{v['transcript']}:{v['hgvs_c']}" if v.get("hgvs_c") else v["transcript"],
        "consequence": v["consequence"],
        "exon": DASH if v.get("exon") is None else str(v["exon"]),
        "vaf": pct(v["vaf"]),
        "tumour_reads": ratio(v["alt_reads"], v["depth"]),
        "normal_reads": ratio(v.get("normal_alt_reads"), v.get("normal_depth")),
        "hotspot": "yes" if v["hotspot"] else "no",
        "position": f"{v['chrom']}:{v['pos']} {v['ref']}>{v['alt']}",
    }


def _copy_number_row(c: dict, s) -> dict:
    copies = num(c.get("copy_number"), 1)
    if c.get("copy_number") is not None:
        copies = format_copies(c["copy_number"], s)
    lo, hi = c.get("copy_number_ci_low"), c.get("copy_number_ci_high")
    if c.get("copy_number") is not None and lo is not None and hi is not None:
        copies += f" ({lo:.1f}–{hi:.1f})"
    basis = []
    if c.get("purity") is not None:
        basis.append(f"purity {pct(c['purity'], 0)} ({c.get('purity_source') or 'unknown source'})")
    if c.get("source"):
        basis.append(str(c["source"]))
    return {
        "gene": c["gene"],
        "n_targets": str(c["n_targets"]),
        "log2_ratio": num(c["log2_ratio"], signed=True),
        "mad": num(c.get("log2_ratio_mad")),
        "copies": copies,
        "call": c["call"],
        "reason": c.get("reason") or "",
        "basis": "; ".join(basis),
    }


def _copy_number_thresholds(findings: dict) -> str:
    s = copy_number_settings(findings)
    return (
        f"amplified ≥ {s.amplification_copies:g} copies per tumour cell, equivocal "
        f"{s.equivocal_copies:g} to < {s.amplification_copies:g}, loss ≤ {s.loss_copies:g}, "
        f"homozygous deletion ≤ {s.homozygous_deletion_copies:g}; a call needs its "
        f"{s.confidence:.0%} interval to support it, ≥ {s.min_targets} usable targets and "
        f"purity ≥ {s.min_purity:.0%}"
    )


def _detected_text(hotspot: dict, variants: list[dict]) -> str:
    label, name = hotspot["label"], hotspot.get("variant") or "variant"
    for v in variants:
        if v["gene"] == hotspot["gene"] and name in (v.get("protein_short"), v.get("hgvs_p")):
            return (
                f"{label}: detected — {name} (VAF {pct(v['vaf'])}; "
                f"{v['alt_reads']}/{v['depth']} reads)"
            )
    return f"{label}: detected — {name}; depth {depth_x(hotspot['depth'])}"


def filtered_text(hotspot: dict) -> str:
    """A hotspot allele seen in the tumour and rejected by the caller: never "not detected"."""
    text = f"detected, filtered ({hotspot.get('filters') or 'filtered'})"
    if hotspot.get("variant"):
        text += f" — {hotspot['variant']}"
    if hotspot.get("subthreshold"):
        text += f"; {hotspot['subthreshold'].split(', filtered:')[0]}"
    return text + "; not a reportable call, and the codon is not wild type"


def hotspot_text(hotspot: dict, min_depth: int, variants: list[dict]) -> str:
    """One line per hotspot; 'not detected' always carries depth and limit of detection."""
    label, depth, status = hotspot["label"], hotspot["depth"], hotspot["status"]
    if status == "detected":
        return _detected_text(hotspot, variants)
    if status == "detected, filtered":
        return f"{label}: {filtered_text(hotspot)}"
    if status == "not detected":
        text = (
            f"{label}: not detected; depth {depth_x(depth)}; "
            f"limit of detection {pct(hotspot['lod_vaf'])} VAF"
        )
        if hotspot.get("paralogous_fragments"):
            text += (
                f"; {hotspot['paralogous_fragments']} fragments with a paralogue's mismatch "
                "burden not counted"
            )
        if hotspot.get("subthreshold"):
            text += f" (sub-threshold evidence: {hotspot['subthreshold']})"
        return text
    if hotspot.get("reason"):
        return f"{label}: not evaluable ({hotspot['reason']})"
    if depth < min_depth:
        return f"{label}: not evaluable (depth {depth_x(depth)} < minimum {depth_x(min_depth)})"
    return f"{label}: not evaluable (depth {depth_x(depth)}; minimum {depth_x(min_depth)})"


def _hotspot_groups(findings: dict) -> list[dict]:
    min_depth = findings["thresholds"]["min_depth"]
    genes = list(dict.fromkeys(h["gene"] for h in findings["hotspots"]))
    groups = []
    for gene in genes:
        members = sorted(
            (h for h in findings["hotspots"] if h["gene"] == gene), key=lambda h: h["codon"]
        )
        lines = [
            {"status": h["status"], "text": hotspot_text(h, min_depth, findings["variants"])}
            for h in members
        ]
        groups.append({"gene": gene, "lines": lines})
    return groups


def sample_order(findings: dict) -> list[str]:
    """Tumour first, then normal, then any other sample in order of appearance."""
    names = [findings["tumour_sample"], findings.get("normal_sample")]
    names += [s["sample"] for s in findings["qc"]["samples"]]
    names += [c["sample"] for c in findings["coverage"]]
    return list(dict.fromkeys(n for n in names if n))


def sample_types(findings: dict) -> dict[str, str]:
    types = {findings["tumour_sample"]: "tumour"}
    if findings.get("normal_sample"):
        types[findings["normal_sample"]] = "normal"
    types.update({s["sample"]: s["type"] for s in findings["qc"]["samples"]})
    return types


def _coverage_rows(findings: dict) -> list[dict]:
    order = {name: i for i, name in enumerate(sample_order(findings))}
    genes = {g: i for i, g in enumerate(dict.fromkeys(c["gene"] for c in findings["coverage"]))}
    rows = sorted(findings["coverage"], key=lambda c: (genes[c["gene"]], order[c["sample"]]))
    return [
        {
            "gene": c["gene"],
            "sample": c["sample"],
            "n_targets": str(c["n_targets"]),
            "mean_depth": depth_x(c["mean_depth"], 1),
            "min_depth": depth_x(c["min_depth"]),
            "fraction": pct(c["fraction_ge_min_depth"]),
            "all_covered": "yes" if c["fraction_ge_min_depth"] >= 1 else "no",
        }
        for c in rows
    ]


def qc_depth_levels(findings: dict) -> list[str]:
    """The coverage thresholds (x) with a target-base fraction in every sample's QC."""
    levels = None
    for s in findings["qc"]["samples"]:
        keys = list((s.get("fraction_target_bases_ge") or {}).keys())
        levels = keys if levels is None else [k for k in levels if k in keys]
    return sorted(levels or [], key=float)


def _qc_rows(findings: dict) -> list[dict]:
    levels = qc_depth_levels(findings)
    rows = []
    for s in findings["qc"]["samples"]:
        sd = s.get("insert_size_sd")
        insert = DASH
        if s.get("insert_size_mean") is not None:
            insert = f"{s['insert_size_mean']:.0f}" + (f" ± {sd:.0f}" if sd is not None else "")
        rows.append(
            {
                "sample": s["sample"],
                "type": s["type"],
                "reads": f"{s['reads']:,}",
                "mapped": pct(s["mapped_fraction"]),
                "duplicates": pct(s["duplicate_fraction"]),
                "on_target": pct(s["on_target_fraction"]) if "on_target_fraction" in s else DASH,
                "insert": insert,
                "mean_depth": depth_x(s["mean_target_depth"], 1),
                "fraction": pct(s["fraction_targets_ge_min_depth"]),
                "bases_ge": [pct(s["fraction_target_bases_ge"][k]) for k in levels],
            }
        )
    return rows


def _provenance(provenance: dict | None) -> dict | None:
    if provenance is None:
        return None
    return {
        "workflow_version": str(provenance.get("workflow_version") or "not recorded"),
        "commit": str(provenance.get("workflow_commit") or "not recorded"),
        "config_sha256": str(provenance.get("config_sha256") or "not recorded"),
        "methods": [str(p) for p in provenance.get("methods") or []],
        "inputs": [(str(i["file"]), str(i["sha256"])) for i in provenance.get("inputs") or []],
        "knowledge_base": provenance.get("knowledge_base"),
        "tools": sorted(
            (str(k), str(v)) for k, v in (provenance.get("tool_versions") or {}).items()
        ),
        "resources": sorted(
            (str(k), str(v)) for k, v in (provenance.get("resources") or {}).items()
        ),
    }


PAGE1_THERAPIES = 2  # per finding and direction on the first page; "Evidence details" has all


def _therapy_line(t: dict) -> str:
    where = ", ".join(t["tumour_types"]) or "any tumour type"
    ids = ", ".join(t["evidence"][:4]) + (" …" if len(t["evidence"]) > 4 else "")
    pgx = f" — germline: {t['pgx']}" if t.get("pgx") else ""
    return f"{t['therapy']} — Tier {t['tier']}-{t['tier_level']}, {where} ({ids}){pgx}"


def _short_therapy(t: dict) -> str:
    ids = ", ".join(t["evidence"][:2]) + (" …" if len(t["evidence"]) > 2 else "")
    why = f" — {t['why']}" if t.get("why") else ""
    pgx = f" — germline: {t['pgx']}" if t.get("pgx") else ""
    return f"{t['therapy']} ({t['tier']}-{t['tier_level']}; {ids}){why}{pgx}"


def pgx_notes(findings: dict, full: bool = False) -> dict[str, str]:
    """{therapy line: the germline phenotypes and recommendations that bear on it}, short for
    page 1, ``full`` for the evidence details (tumorboard.pharmacogenomics)."""
    block = findings.get("pharmacogenomics") or {}
    out = {}
    for t in block.get("therapies", []):
        texts = [
            f"{i['status']} → {i['drug_class']}: {i['recommendation']} ({i['source']})"
            if full
            else i["short"]
            for i in t["items"]
        ]
        out[t["therapy"]] = "; ".join(texts)
    return out


def _with_pgx(therapy: str, notes: dict[str, str]) -> str:
    """A therapy name with its germline note in brackets, when it has one."""
    return f"{therapy} [germline: {notes[therapy]}]" if therapy in notes else therapy


def _site_text(c: dict) -> str:
    """One site's call with its depth: 'c.1905+1G>A (*2A): C/T heterozygous, 248x'."""
    name = c.get("hgvs_c", c["site"]).split(":")[-1]
    if c["kind"] == "ta_repeat":
        name = "TATA-box (TA)n"
    allele = c.get("allele") if c["kind"] == "snv" else None
    label = f"{name} ({allele})" if allele and allele != name else name
    if c["status"] != "genotyped":
        return f"{label}: not evaluable ({c.get('reason', 'no reads')})"
    if c["kind"] == "ta_repeat":
        alleles = "/".join(c.get("alleles", []))
        excluded = c.get("not_spanning", 0) + c.get("unreadable", 0)
        return (f"{label}: {c['genotype']} ({alleles}), {c['depth']} spanning fragments "
                f"({excluded} not spanning or unreadable, excluded)")  # fmt: skip
    return f"{label}: {c['genotype']} {c['zygosity']}, {c['depth']}x"


def pharmacogenomics_view(findings: dict) -> dict | None:
    """The PGx section: sample, caveat, scope, and one row per gene (genotype per site with its
    depth, diplotype, phenotype, notes, what was not evaluable or not covered)."""
    block = findings.get("pharmacogenomics")
    if not block:
        return None
    genes = []
    for g in block["genes"]:
        score = g.get("activity_score")
        genes.append(
            {
                "gene": g["gene"],
                "diplotype": g.get("diplotype") or DASH,
                "phenotype": g["phenotype"]
                + (f" (activity score {score:g})" if score is not None else ""),
                "reason": g.get("reason") or "",
                "sites": [_site_text(c) for c in g["sites"]],
                "notes": list(g.get("notes", [])),
                "not_covered": g["not_covered"],
            }
        )
    sample = block.get("sample")
    return {
        "status": block["status"],
        "reason": block.get("reason") or "",
        "sample": f"{sample} ({block.get('sample_type')})" if sample else DASH,
        "caveat": block.get("caveat") or "",
        "scope": block["scope"],
        "min_depth": block.get("min_depth"),
        "tables": sorted((block.get("tables") or {}).items()),
        "genes": genes,
        "therapies": _pgx_groups(block),
    }


def _pgx_groups(block: dict) -> list[dict]:
    """The therapy links grouped by what they say: one entry per gene status, drug class and
    recommendation, with the therapy lines it applies to."""
    groups: dict[tuple, list[str]] = {}
    for t in block.get("therapies", []):
        for i in t["items"]:
            key = (i["status"], i["drug_class"], i["recommendation"], i["source"])
            groups.setdefault(key, []).append(t["therapy"])
    return [
        {"status": s, "drug_class": c, "recommendation": r, "source": src, "therapies": names}
        for (s, c, r, src), names in groups.items()
    ]


def _pointer(findings: dict, pointer: str):
    """The findings item a JSON pointer such as ``/variants/0`` names (None if absent)."""
    node = findings
    for part in pointer.strip("/").split("/"):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return node


def _measure(findings: dict, a: dict) -> str:
    """What was measured behind an actionable finding: VAF and reads, or copies; for a wild-type
    finding, the codons genotyped and not mutated with their minimum depth and the largest limit
    of detection among them (what "not mutated" holds down to)."""
    parts = []
    rows = [_pointer(findings, p) for p in a.get("finding") or [] if p.startswith("/hotspots/")]
    negative = [h for h in rows if isinstance(h, dict) and h.get("status") == "not detected"]
    if negative and a["status"] == "established":
        lods = [h["lod_vaf"] for h in negative if h.get("lod_vaf") is not None]
        lod = f"; LoD ≤ {pct(max(lods))} VAF" if len(lods) == len(negative) else ""
        parts.append(f"{len(negative)} codons not mutated: min depth "
                     f"{depth_x(min(h['depth'] for h in negative))}{lod}")  # fmt: skip
    for pointer in a.get("finding") or []:
        item = _pointer(findings, pointer)
        if not isinstance(item, dict) or pointer.startswith("/hotspots/"):
            continue
        if "vaf" in item and "depth" in item:
            parts.append(f"VAF {pct(item['vaf'])} ({item['alt_reads']}/{item['depth']} reads)")
        elif item.get("copy_number") is not None:
            parts.append(f"{num(item['copy_number'], 1)} copies ({item['call']})")
    return "; ".join(parts)


def _column(lines: list[dict], limit: int) -> list[str]:
    """Page 1's lines of one direction in the patient's tumour type: up to ``limit`` Tier I
    lines; the rest (and every Tier II line, such as preclinical evidence) only counted."""
    shown = [_short_therapy(t) for t in lines if t["tier"] == "I"][:limit]
    rest = len(lines) - len(shown)
    if not rest:
        return shown
    if shown:
        return shown + [f"+{rest} more (Evidence details)"]
    return [f"{rest} Tier II line{'s' if rest > 1 else ''} (Evidence details)"]


APPROVING_BODIES = re.compile(r"\b(?:FDA|EMA|PMDA|NMPA|MHRA|Swissmedic|Health Canada|TGA)\b")
_TIER_RANK = {("I", "A"): 0, ("I", "B"): 1, ("II", "C"): 2, ("II", "D"): 3}


def _approval_rank(e: dict) -> int:
    """0: an authored approval (a biomarker-table row that names its approving body); 1: another
    authored biomarker row (guideline or study); 2: CIViC evidence only."""
    if e["source"] != BIOMARKERS:
        return 2
    return 0 if APPROVING_BODIES.search(e.get("citation") or "") else 1


def _page1_therapy(name: str, response: str, evidence: list[dict]) -> dict:
    """One therapy line of page 1 from the evidence items behind it (already best first): its
    best tier-level and ids, and the key that orders the lines: evidence level (the tier-level
    the evidence supports, then the source's level: A before B before C before D), then approval
    (an authored approval before CIViC-only evidence), then name."""
    tiers = [(_TIER_RANK.get((e["tier"], e["tier_level"]), 9), e["tier"], e["tier_level"])
             for e in evidence]  # fmt: skip
    _, tier, level = min(tiers)
    return {
        "therapy": name,
        "response": response,
        "tier": tier,
        "tier_level": level,
        "evidence": list(dict.fromkeys(e["id"] for e in evidence)),
        "_key": (
            min(t[0] for t in tiers),
            min(e["level"] for e in evidence),
            min(_approval_rank(e) for e in evidence),
            name.lower(),
        ),
    }


def page1_columns(a: dict) -> tuple[list[dict], list[dict]]:
    """The therapies of one actionable finding for page 1's two columns, each ordered by
    evidence level, then approval, then name: (in the patient's tumour type: every therapy and
    direction with counted evidence in that type, its ancestor or tumour-agnostic; other tumour
    types only: therapies with *sensitivity* evidence in other tumour types and no counted
    evidence, of any direction, in the patient's type)."""
    counted = [e for e in a.get("evidence", []) if e.get("counts") and e.get("tier") in ("I", "II")]
    pairs = [(line, e) for e in counted for line in therapy_lines(e)]
    here_names = {line for line, e in pairs if e["tumour_type_match"] in SAME_TYPE}
    here: dict[tuple[str, str], list[dict]] = {}
    other: dict[str, list[dict]] = {}
    for line, e in pairs:
        if e["tumour_type_match"] in SAME_TYPE:
            here.setdefault((line, e["response"]), []).append(e)
        elif e["response"] == "sensitivity" and line not in here_names:
            other.setdefault(line, []).append(e)
    here_lines = [_page1_therapy(n, r, ev) for (n, r), ev in here.items()]
    other_lines = [_page1_therapy(n, "sensitivity", ev) for n, ev in other.items()]
    return (
        sorted(here_lines, key=lambda t: t["_key"]),
        sorted(other_lines, key=lambda t: t["_key"]),
    )


def _oncogenicity(findings: dict, a: dict) -> str:
    """The oncogenicity label of a single-variant finding, shown next to its tier (independent
    of it); empty for other findings.  Findings written before the label get it computed."""
    if a["kind"] != "variant" or len(a["finding"]) != 1:
        return ""
    v = _pointer(findings, a["finding"][0])
    if not isinstance(v, dict) or "gene" not in v:
        return ""
    return v.get("oncogenicity") or oncogenicity.classify(v)[0]


def _actionable(findings: dict) -> list[dict]:
    """Actionable findings by tier.  Page 1 shows, per finding, the therapies with evidence in
    this tumour type (Tier I lines; Tier II ones counted) and only the names of those with
    sensitivity evidence in other tumour types only (:func:`page1_columns`); ``evidence`` holds
    every Tier I/II therapy line for the Evidence details section."""
    rows = []
    items = findings.get("actionability", [])
    columns = [page1_columns(a) for a in items]
    # one line per drug and patient (knowledge.gating): a therapy shown for an earlier finding
    # is not repeated; a set-aside sensitivity is named once, with its reason, on the drug's
    # line when it has one, else under "Not for this patient"
    set_aside = {}
    for a in items:
        for x in a.get("set_aside", []):
            if x["kind"] == "gated":
                set_aside.setdefault(x["therapy"], x["reason"])
    notes = {t["therapy"]: t["note"] for a in items for t in a["therapies"] if t.get("note")}
    pgx_short, pgx_full = pgx_notes(findings), pgx_notes(findings, full=True)
    on_page = {t["therapy"] for here, _ in columns for t in here}
    shown: dict[str, str] = {}  # therapy -> the finding whose row shows it
    for a, (here, other) in zip(items, columns, strict=True):
        therapies = [t | {"pgx": pgx_full.get(t["therapy"])}
                     for t in a["therapies"] if t["tier"] in ("I", "II")]  # fmt: skip
        # a Tier I line already shown for an earlier finding is named once more, by reference,
        # so a row's tier is never left without the line that gives it
        above = [t for t in here if t["therapy"] in shown and t["tier"] == "I"]
        here = [t for t in here if t["therapy"] not in shown]
        shown.update({t["therapy"]: a["alteration"] for t in here})
        for t in here:
            t["pgx"] = pgx_short.get(t["therapy"])
            gated = set_aside.get(t["therapy"]) if t["response"] != "sensitivity" else None
            t["why"] = notes.get(t["therapy"]) or (
                gated.removeprefix("not for this patient: ") if gated else None
            )
        # grouped by reason, one line each: the reason once, then the drugs it sets aside
        by_reason: dict[str, list[str]] = {}
        for x in a.get("set_aside", []):
            if x["kind"] == "gated" and x["therapy"] not in on_page:
                names = by_reason.setdefault(x["reason"].removeprefix("not for this patient: "), [])
                if x["therapy"] not in names:
                    names.append(x["therapy"])
        not_for = [
            f"{', '.join(_with_pgx(n, pgx_short) for n in names[:3])}"
            f"{f' +{len(names) - 3} more' if len(names) > 3 else ''}"
            f" — {reason}"
            for reason, names in by_reason.items()
        ]
        sens = [t for t in here if t["response"] == "sensitivity"]
        res = [t for t in here if t["response"] != "sensitivity"]
        see_above = {}
        for t in above:
            key = ("sensitivity" if t["response"] == "sensitivity" else "resistance",
                   f"I-{t['tier_level']}", shown[t["therapy"]])  # fmt: skip
            see_above.setdefault(key, []).append(t["therapy"])
        refs = {
            side: [f"{', '.join(names)} ({level}; line under {row})"
                   for (s_, level, row), names in see_above.items() if s_ == side]
            for side in ("sensitivity", "resistance")
        }  # fmt: skip
        other_names = [t["therapy"] for t in other]
        rows.append(
            {
                "tier": a["tier_label"] if a["status"] == "established" else "not established",
                "alteration": a["alteration"],
                "oncogenicity": _oncogenicity(findings, a),
                "measure": _measure(findings, a),
                "established": a["status"] == "established",
                "reason": a["reason"] or "",
                "basis": a["tier_basis"] or "",
                "sensitive": refs["sensitivity"] + _column(sens, PAGE1_THERAPIES),
                "resistant": refs["resistance"] + _column(res, PAGE1_THERAPIES),
                "not_for_patient": not_for[:PAGE1_THERAPIES]
                + (
                    [f"+{len(not_for) - PAGE1_THERAPIES} more (findings JSON)"]
                    if len(not_for) > PAGE1_THERAPIES
                    else []
                ),
                "other": ", ".join(other_names[:3])
                + (f" +{len(other_names) - 3} more" if len(other_names) > 3 else ""),
                "evidence_sensitive": [
                    _therapy_line(t) for t in therapies if t["response"] == "sensitivity"
                ],
                "evidence_resistant": [
                    _therapy_line(t) for t in therapies if t["response"] != "sensitivity"
                ],
            }
        )
    return rows


def negative_summary(findings: dict) -> list[str]:
    """One line per hotspot gene for page 1: what was ruled out, at what depth and LoD, and
    what could not be evaluated and why."""
    lines = []
    genes = list(dict.fromkeys(h["gene"] for h in findings["hotspots"]))
    for gene in genes:
        rows = [h for h in findings["hotspots"] if h["gene"] == gene]
        codons = ", ".join(str(h["codon"]) for h in rows if h.get("codon_end") is None)
        regions = [h["label"].removeprefix(f"{gene} ") for h in rows if h.get("codon_end")]
        scope = f"codons {codons}" + "".join(f"; {r}" for r in regions)
        detected = [h for h in rows if h["status"] == "detected"]
        filtered = [h for h in rows if h["status"] == "detected, filtered"]
        negative = [h for h in rows if h["status"] == "not detected"]
        missing = [h for h in rows if h["status"] == "not evaluable"]
        parts = []
        if detected:
            parts.append("detected: " + ", ".join(h["variant"] or h["label"] for h in detected))
        for h in filtered:
            parts.append(f"{h['variant'] or h['label']} {filtered_text(h).split(' — ')[0]}")
        if negative:
            depth = min(h["depth"] for h in negative)
            lod = max(h["lod_vaf"] for h in negative)
            parts.append(f"{len(negative)} not mutated (min depth {depth}x; LoD ≤ {pct(lod)})")
        if missing:
            reasons = sorted({h.get("reason") or "not evaluable" for h in missing})
            parts.append(f"{len(missing)} not evaluable ({'; '.join(reasons)})")
        lines.append(f"{gene} ({scope}): " + "; ".join(parts))
    cn = copy_number_negative(findings)
    return lines + ([cn] if cn else []) + unannotated_lines(findings)


def unannotated_lines(findings: dict) -> list[str]:
    """Imported calls in hotspot genes that lie outside the reference loci: on page 1, because
    they could not be annotated or tiered and a reader must not take their absence as wild type."""
    return [
        f"{u['gene']} {u['chrom']}:{u['pos']} {u['ref']}>{u['alt']} (VAF {pct(u['vaf'])}, "
        f"depth {u['depth']}x in the imported VCF): not annotated and not tiered — {u['reason']}"
        for u in findings.get("unannotated_variants", [])
    ]


def copy_number_negative(findings: dict) -> str:
    """One line: the genes whose copy number rules out amplification and homozygous deletion
    (with the range of their intervals), and those that could not be evaluated, and why."""
    rows = findings["copy_number"]
    if not rows:
        return ""
    quiet = [r for r in rows if r["call"] in ("neutral", "loss")]
    missing = [r for r in rows if r["call"] == "not evaluable"]
    parts = []
    if quiet:
        lows = [r.get("copy_number_ci_low", r.get("copy_number")) for r in quiet]
        highs = [r.get("copy_number_ci_high", r.get("copy_number")) for r in quiet]
        span = ""
        if None not in lows and None not in highs:
            span = f"; intervals within {min(lows):.1f}–{max(highs):.1f} copies"
        parts.append(
            "no amplification or homozygous deletion in "
            + ", ".join(r["gene"] + (" (loss)" if r["call"] == "loss" else "") for r in quiet)
            + span
        )
    if missing:
        by_reason: dict[str, list[str]] = {}
        for r in missing:
            by_reason.setdefault(r.get("reason") or "no estimate", []).append(r["gene"])
        parts.append(
            "not evaluable: " + "; ".join(f"{', '.join(g)} ({why})" for why, g in by_reason.items())
        )
    return "Copy number: " + "; ".join(parts) if parts else ""


def _size(k: dict) -> str:
    """Evidence records kept, or, for a table of no evidence (the tumour types), rows read."""
    if k["records"]:
        return f"{k['records']} records"
    return f"{k['rows']} rows" if k.get("rows") is not None else "row count not recorded"


def _knowledge_base(findings: dict) -> list[str]:
    """Each source: file, release, checksum, size, and how many of its items name only
    non-drugs (kept, never therapy lines: knowledge.therapies)."""
    return [
        f"{k['name']} ({k['file']}; release {k['release_date'] or 'undated'}; "
        f"sha256 {k['sha256'][:12]}…; {_size(k)}"
        + (f"; {k['non_drug_only']} naming only non-drugs such as chemotherapy or radiation "
           "therapy, kept but not shown as therapy lines" if k.get("non_drug_only") else "")
        + ")"
        for k in findings.get("knowledge_base", [])
    ]  # fmt: skip


def knowledge_currency(findings: dict, provenance: dict | None) -> dict:
    """Page 1: each source's name and release date in one line, and a warning for each source
    older than ``knowledge.max_age_years``, counted to ``knowledge.as_of`` or, when it is empty,
    to the newest source release (the run's settings, recorded in its provenance; the defaults
    otherwise): never to the day of rendering, so the report stays byte-identical."""
    settings = (provenance or {}).get("knowledge") or {}
    return kb_sources.currency(
        findings.get("knowledge_base", []),
        settings.get("max_age_years", 2),
        settings.get("as_of") or None,
    )


def _germline(findings: dict) -> list[str]:
    """Germline variants, reported apart from the tiered findings (they have no tier)."""
    lines = []
    for g in findings.get("germline", []):
        vaf = f" (VAF {pct(g['vaf'])})" if g.get("vaf") is not None else ""
        lines.append(f"{g['alteration']}{vaf}: {g['note']}")
    return lines


def copy_number_settings(findings: dict) -> Settings:
    """The copy-number thresholds the findings were called with (defaults for older files)."""
    return Settings.from_config(findings["thresholds"].get("copy_number", {}))


def copy_number_purity(findings: dict) -> float | None:
    """Purity behind the copy numbers: the sheet's, else the one the copy-number stage
    estimated (the same for every gene row)."""
    if findings.get("purity") is not None:
        return findings["purity"]
    values = [r["purity"] for r in findings["copy_number"] if r.get("purity") is not None]
    return values[0] if values else None


def build_view(findings: dict, provenance: dict | None) -> dict:
    """Everything the template needs but the figures, already formatted as strings."""
    cn_settings = copy_number_settings(findings)
    return {
        "banner": BANNER,
        "csp": Markup(CSP),
        "header": _header(findings),
        "unannotated": findings.get("unannotated_variants", []),
        "unannotated_count": findings.get("unannotated_count", 0),
        "outside_panel_genes": findings.get("variants_outside_panel_genes", 0),
        "thresholds": _thresholds(findings),
        "actionable": _actionable(findings),
        "germline": _germline(findings),
        "co_occurrence": [
            # page 1 keeps the note without its parenthesised detail (in the findings JSON)
            f"{c['alterations']}: {_PARENTHESES.sub('', c['note'])} ({c['rule']})"
            for c in findings.get("co_occurrence", [])
        ],
        "negatives": negative_summary(findings),
        "pharmacogenomics": pharmacogenomics_view(findings),
        "knowledge_base": _knowledge_base(findings),
        "kb_currency": knowledge_currency(findings, provenance),
        "variants": [_variant_row(v) for v in findings["variants"]],
        "copy_number": [_copy_number_row(c, cn_settings) for c in findings["copy_number"]],
        "cn_thresholds": _copy_number_thresholds(findings),
        "hotspot_groups": _hotspot_groups(findings),
        "coverage": _coverage_rows(findings),
        "qc_samples": _qc_rows(findings),
        "qc_levels": qc_depth_levels(findings),
        "provenance": _provenance(provenance),
        "disclaimer": findings["disclaimer"],
    }
