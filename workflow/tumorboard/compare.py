"""``tumorboard compare RUN_A RUN_B``: what changed between two runs of a cohort, per patient,
and why.

A run is a results directory (``results/``, or the directory that holds it): its findings
(``findings/<patient>.json``, the contract) and provenance (``provenance/<patient>.json``).  For
each patient present in either run the comparison lists

* the *differences in what went in* (the possible causes): the knowledge base's sources (release
  and sha256, from the findings' ``knowledge_base``), the settings (every configuration value the
  provenance records, or the thresholds block of the findings), the patient's input files
  (sha256), the resources (reference, gene models, panel, hotspots), the workflow version and
  commit, the tool versions, and the tumour type;
* the *differences in what came out*: variants (by GRCh38 position and allele), copy-number
  calls, hotspot statuses, tiered findings (tier and status) and their therapy lines;

and gives each change of the second kind its cause: a therapy line whose finding is unchanged
changed because the knowledge base did (naming the evidence ids gained or lost); a lost or new
finding because a threshold moved across its value (naming the threshold and both values), or
because an input or a setting changed.  What none of the recorded differences explains is said
to be unexplained (same inputs, settings, knowledge base and workflow: a reproducibility
problem to report).

Output: markdown text (default), or one row per change as TSV or JSON (``--format``).  The exit
status is that of ``diff``: 0 when no finding, tier or therapy line differs, 1 when one does,
2 on an error.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tumorboard.report.methods import flatten_config as flatten

# causes, in the order a reader checks them
KNOWLEDGE_BASE = "knowledge base"
CALL = "changed call"
THRESHOLD = "threshold"
SETTINGS = "settings"
INPUT = "input"
RESOURCE = "resource"
WORKFLOW = "workflow"
UNEXPLAINED = "unexplained"

# configuration keys that say where things are, not how they are decided
_LOCATION_KEYS = ("samples", "units", "resources.cache", "resources.manifest")


class CompareError(Exception):
    """A run directory cannot be read; the message is one line."""


# --------------------------------------------------------------------------- reading runs


@dataclass
class Run:
    path: Path
    findings: dict[str, dict]
    provenance: dict[str, dict]


def results_dir(path: str | Path) -> Path:
    """The results directory of ``path``: itself when it holds ``findings/``, else its
    ``results/``."""
    p = Path(path)
    for candidate in (p, p / "results"):
        if (candidate / "findings").is_dir():
            return candidate
    raise CompareError(f"{path}: no findings/ directory (give a results directory of a run)")


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CompareError(f"{path}: not a readable JSON file ({exc})") from None


def load_run(path: str | Path) -> Run:
    root = results_dir(path)
    findings = {f.stem: _read_json(f) for f in sorted((root / "findings").glob("*.json"))}
    provenance = {}
    for pid in findings:
        prov = root / "provenance" / f"{pid}.json"
        if prov.is_file():
            provenance[pid] = _read_json(prov)
    if not findings:
        raise CompareError(f"{root}/findings: no findings JSON")
    return Run(root, findings, provenance)


# --------------------------------------------------------------------------- labels


def variant_key(v: Mapping) -> tuple:
    return (v["gene"], v["chrom"], v["pos"], v["ref"], v["alt"])


def variant_label(v: Mapping) -> str:
    change = v.get("protein_short")
    change = f"p.{change}" if change else v.get("hgvs_c") or f"{v['pos']} {v['ref']}>{v['alt']}"
    return f"{v['gene']} {change}"


def _pct(x) -> str:
    return f"{x * 100:.3g}%" if isinstance(x, int | float) else str(x)


def _value(x) -> str:
    if isinstance(x, list | dict):
        return json.dumps(x, sort_keys=True)
    return "(not set)" if x is None else str(x)


# --------------------------------------------------------------------------- what went in


@dataclass
class Context:
    """What differs in what went into one patient's two results: each a list of lines."""

    knowledge_base: list[str] = field(default_factory=list)
    settings: dict[str, tuple] = field(default_factory=dict)  # key -> (a, b)
    inputs: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    workflow: list[str] = field(default_factory=list)
    tumour_type: tuple | None = None

    def causes(self) -> list[tuple[str, str]]:
        """(cause, text) for each difference, in reading order."""
        out = [(KNOWLEDGE_BASE, line) for line in self.knowledge_base]
        out += [
            (THRESHOLD if _is_threshold(k) else SETTINGS, f"{k}: {_value(a)} → {_value(b)}")
            for k, (a, b) in self.settings.items()
        ]
        if self.tumour_type:
            out.append((INPUT, f"tumour type: {self.tumour_type[0]} → {self.tumour_type[1]}"))
        out += [(INPUT, line) for line in self.inputs]
        out += [(RESOURCE, line) for line in self.resources]
        out += [(WORKFLOW, line) for line in self.workflow]
        return out


def _is_threshold(key: str) -> bool:
    return key.startswith(("somatic.", "copy_number.", "params.mpileup.", "thresholds."))


def _sources(findings: Mapping) -> dict[str, dict]:
    return {s.get("id") or s["name"]: s for s in findings.get("knowledge_base") or []}


def _source_text(s: Mapping | None) -> str:
    if not s:
        return "absent"
    return f"release {s.get('release_date') or 'undated'}, sha256 {str(s.get('sha256'))[:12]}…"


def knowledge_base_changes(fa: Mapping, fb: Mapping) -> list[str]:
    sa, sb = _sources(fa), _sources(fb)
    out = []
    for sid in sorted(sa.keys() | sb.keys()):
        a, b = sa.get(sid), sb.get(sid)
        if a and b and a.get("sha256") == b.get("sha256"):
            continue
        name = (a or b)["name"]
        records = ""
        if a and b and a.get("records") != b.get("records"):
            records = f"; {a.get('records')} → {b.get('records')} records"
        out.append(f"{name}: {_source_text(a)} → {_source_text(b)}{records}")
    return out


def settings_changes(fa, fb, pa, pb) -> dict[str, tuple]:
    """Changed configuration values: from the provenance's recorded configuration when both runs
    have it, else from the thresholds the findings record."""
    if pa and pb and "config" in pa and "config" in pb:
        ca, cb = flatten(pa["config"]), flatten(pb["config"])
    else:
        ca, cb = flatten(fa.get("thresholds") or {}), flatten(fb.get("thresholds") or {})
        ca = {_threshold_config_key(k): v for k, v in ca.items()}
        cb = {_threshold_config_key(k): v for k, v in cb.items()}
    return {
        k: (ca.get(k), cb.get(k))
        for k in sorted(ca.keys() | cb.keys())
        if ca.get(k) != cb.get(k) and not k.startswith(_LOCATION_KEYS)
    }


def _threshold_config_key(key: str) -> str:
    """The configuration key of a findings threshold (findings.thresholds -> config)."""
    return key if key.startswith("copy_number.") else f"somatic.{key}"


def _by_name(entries: Iterable[Mapping]) -> dict[str, str]:
    return {str(e["file"]): str(e["sha256"]) for e in entries}


def input_changes(pa: Mapping | None, pb: Mapping | None) -> list[str]:
    if not pa or not pb:
        return []
    a, b = _by_name(pa.get("inputs") or []), _by_name(pb.get("inputs") or [])
    if sorted(a.values()) == sorted(b.values()):
        return []  # the same files' contents, wherever they were read from
    out = []
    for name in sorted(a.keys() | b.keys()):
        if name not in b:
            out.append(f"input {name} (sha256 {a[name][:12]}…) not in the second run")
        elif name not in a:
            out.append(f"input {name} (sha256 {b[name][:12]}…) new in the second run")
        elif a[name] != b[name]:
            out.append(f"input {name}: sha256 {a[name][:12]}… → {b[name][:12]}…")
    return out


def resource_changes(pa: Mapping | None, pb: Mapping | None) -> list[str]:
    if not pa or not pb:
        return []
    a, b = pa.get("resources") or {}, pb.get("resources") or {}
    return [
        f"{name}: {str(a.get(name))[:19]}… → {str(b.get(name))[:19]}…"
        for name in sorted(a.keys() | b.keys())
        if a.get(name) != b.get(name) and name != "knowledge_base"  # the sources say it
    ]


def workflow_changes(pa: Mapping | None, pb: Mapping | None) -> list[str]:
    if not pa or not pb:
        return []
    out = []
    for key in ("workflow_version", "workflow_commit"):
        if pa.get(key) != pb.get(key):
            out.append(f"{key.replace('_', ' ')}: {pa.get(key)} → {pb.get(key)}")
    ta, tb = pa.get("tool_versions") or {}, pb.get("tool_versions") or {}
    out += [
        f"{tool.removeprefix('python:')} {ta.get(tool, 'absent')} → {tb.get(tool, 'absent')}"
        for tool in sorted(ta.keys() | tb.keys())
        if ta.get(tool) != tb.get(tool)
    ]
    return out


def context(fa, fb, pa, pb) -> Context:
    tt = (fa.get("tumour_type"), fb.get("tumour_type"))
    return Context(
        knowledge_base=knowledge_base_changes(fa, fb),
        settings=settings_changes(fa, fb, pa, pb),
        inputs=input_changes(pa, pb),
        resources=resource_changes(pa, pb),
        workflow=workflow_changes(pa, pb),
        tumour_type=tt if tt[0] != tt[1] else None,
    )


# --------------------------------------------------------------------------- what came out


@dataclass
class Change:
    patient: str
    category: str  # variant, copy number, hotspot, tier, therapy, patient
    item: str
    change: str  # added, removed, changed
    before: str
    after: str
    cause: str
    reason: str


def _threshold(thresholds: Mapping, name: str, hotspot: bool):
    if hotspot:
        return thresholds.get(f"hotspot_{name}", thresholds.get(name))
    return thresholds.get(name)


def threshold_reason(v: Mapping, t_call: Mapping, t_other: Mapping, lost: bool) -> str | None:
    """The threshold that ``v`` (a call of one run, thresholds ``t_call``) fails under the other
    run's thresholds ``t_other``, e.g. "VAF 14% is below somatic.min_vaf 20% of the second run
    (10% in the first)"; None when no recorded threshold explains it."""
    hot = bool(v.get("hotspot"))
    prefix = "somatic.hotspot_" if hot else "somatic."
    first, second = ("first", "second") if lost else ("second", "first")
    checks = (
        ("min_vaf", v.get("vaf"), _pct),
        ("min_alt_reads", v.get("alt_reads"), str),
    )
    for name, value, fmt in checks:
        new, old = _threshold(t_other, name, hot), _threshold(t_call, name, hot)
        if value is None or new is None or new == old:
            continue
        if value < new:
            what = "VAF" if name == "min_vaf" else "alt reads"
            return (
                f"{what} {fmt(value)} is below {prefix}{name} {fmt(new)} of the {second} run "
                f"({fmt(old)} in the {first})"
            )
    return None


def _explain(ctx: Context, *prefer: str) -> tuple[str, str]:
    """The recorded difference most likely behind a change: the first cause of ``prefer`` that
    differs, else any recorded difference, else unexplained."""
    causes = ctx.causes()
    for wanted in prefer:
        hits = [text for cause, text in causes if cause == wanted]
        if hits:
            return wanted, "; ".join(hits)
    if causes:
        kinds = sorted({c for c, _ in causes}, key=[c for c, _ in causes].index)
        return kinds[0], "; ".join(text for _, text in causes)
    return UNEXPLAINED, (
        "same inputs, settings, knowledge base and workflow recorded: a reproducibility problem"
    )


def _variant_text(v: Mapping) -> str:
    return f"VAF {_pct(v['vaf'])} ({v['alt_reads']}/{v['depth']} reads)"


def variant_changes(pid, fa, fb, ctx) -> list[Change]:
    ta, tb = fa.get("thresholds") or {}, fb.get("thresholds") or {}
    va = {variant_key(v): v for v in fa.get("variants") or []}
    vb = {variant_key(v): v for v in fb.get("variants") or []}
    out = []
    for key in sorted(va.keys() | vb.keys(), key=str):
        a, b = va.get(key), vb.get(key)
        if a and b:
            if (a["vaf"], a["alt_reads"], a["depth"]) == (b["vaf"], b["alt_reads"], b["depth"]):
                continue
            cause, reason = _explain(ctx, INPUT, SETTINGS, THRESHOLD, RESOURCE, WORKFLOW)
            out.append(Change(pid, "variant", variant_label(a), "changed", _variant_text(a),
                              _variant_text(b), cause, reason))  # fmt: skip
            continue
        v = a or b
        why = threshold_reason(v, ta if a else tb, tb if a else ta, lost=bool(a))
        cause, reason = (THRESHOLD, why) if why else _explain(
            ctx, INPUT, SETTINGS, THRESHOLD, RESOURCE, WORKFLOW
        )
        out.append(
            Change(pid, "variant", variant_label(v), "removed" if a else "added",
                   _variant_text(a) if a else "not called", _variant_text(b) if b else "not called",
                   cause, reason)  # fmt: skip
        )
    return out


def copy_number_changes(pid, fa, fb, ctx) -> list[Change]:
    ca = {c["gene"]: c for c in fa.get("copy_number") or []}
    cb = {c["gene"]: c for c in fb.get("copy_number") or []}
    out = []
    for gene in sorted(ca.keys() | cb.keys()):
        a, b = ca.get(gene), cb.get(gene)
        before = f"{a['call']} ({a.get('copy_number')} copies)" if a else "not evaluated"
        after = f"{b['call']} ({b.get('copy_number')} copies)" if b else "not evaluated"
        if (a or {}).get("call") == (b or {}).get("call"):
            continue
        cause, reason = _explain(ctx, THRESHOLD, INPUT, SETTINGS, RESOURCE, WORKFLOW)
        out.append(Change(pid, "copy number", gene, "changed", before, after, cause, reason))
    return out


def _hotspot_text(h: Mapping) -> str:
    extra = h.get("variant") or h.get("reason") or ""
    return f"{h['status']}" + (f" ({extra})" if extra else "")


def hotspot_changes(pid, fa, fb, ctx, calls: list[Change]) -> list[Change]:
    ha = {h["label"]: h for h in fa.get("hotspots") or []}
    hb = {h["label"]: h for h in fb.get("hotspots") or []}
    out = []
    for label in sorted(ha.keys() | hb.keys()):
        a, b = ha.get(label), hb.get(label)
        if a and b and a["status"] == b["status"]:
            continue
        related = [c for c in calls if c.item.split(" ")[0] == label.split(" ")[0]]
        if related:
            cause, reason = CALL, "; ".join(f"{c.item} {c.change}: {c.reason}" for c in related)
        else:
            cause, reason = _explain(ctx, THRESHOLD, INPUT, SETTINGS, RESOURCE, WORKFLOW)
        out.append(Change(pid, "hotspot", label, "changed" if a and b else
                          ("removed" if a else "added"), _hotspot_text(a) if a else "absent",
                          _hotspot_text(b) if b else "absent", cause, reason))  # fmt: skip
    return out


def _items(findings: Mapping) -> dict[tuple, dict]:
    return {(i["kind"], i["alteration"]): i for i in findings.get("actionability") or []}


def _tier_text(i: Mapping | None) -> str:
    if not i:
        return "not in the tiered findings"
    return f"{i.get('tier_label') or 'no tier'}, {i['status']}"


def _therapies(i: Mapping | None) -> dict[tuple, dict]:
    return {(t["therapy"], t["response"]): t for t in (i or {}).get("therapies") or []}


def _therapy_text(t: Mapping | None) -> str:
    if not t:
        return "no line"
    tier = f"Tier {t['tier']}-{t['tier_level']}" if t.get("tier") else "no tier"
    return f"{tier} ({', '.join(t['evidence'])})"


def _evidence(i: Mapping | None) -> dict[str, dict]:
    return {f"{e['source']}:{e['id']}": e for e in (i or {}).get("evidence") or []}


def _evidence_reason(ea: Mapping, eb: Mapping, ids: Iterable[str]) -> str:
    """What happened to the evidence behind a therapy line between the runs."""
    lost, gained, changed = [], [], []
    for key in ids:
        a, b = ea.get(key), eb.get(key)
        eid = key.split(":", 1)[1]
        if a and not b:
            lost.append(eid)
        elif b and not a:
            gained.append(eid)
        elif a and b:
            diffs = [f"{k} {a.get(k)} → {b.get(k)}"
                     for k in ("level", "direction", "significance", "tumour_type_match", "counts",
                               "therapy") if a.get(k) != b.get(k)]  # fmt: skip
            if diffs:
                changed.append(f"{eid} ({', '.join(diffs)})")
    parts = []
    if lost:
        parts.append(f"evidence {', '.join(lost)} no longer matches")
    if gained:
        parts.append(f"new evidence {', '.join(gained)}")
    if changed:
        parts.append(f"evidence changed: {'; '.join(changed)}")
    return "; ".join(parts)


def _findings_behind(i: Mapping, doc: Mapping) -> list[str]:
    """Labels of the findings an item rests on (its JSON pointers into ``doc``)."""
    out = []
    for pointer in i.get("finding") or []:
        _, section, index = pointer.split("/")
        entry = (doc.get(section) or [])[int(index)]
        if section == "variants":
            out.append(variant_label(entry))
        elif section == "copy_number":
            out.append(entry["gene"])
        else:
            out.append(entry["label"])
    return out


def _item_cause(
    ctx: Context, moved: list[Change], ea: Mapping, eb: Mapping, evidence_ids: Iterable[str]
) -> tuple[str, str]:
    """Why a tier or therapy line changed: the call it rests on changed; else the knowledge base
    did (with what happened to its evidence); else another recorded difference."""
    if moved:
        return CALL, "; ".join(f"{c.item} {c.change}: {c.reason}" for c in moved)
    if ctx.knowledge_base:
        detail = _evidence_reason(ea, eb, evidence_ids)
        names = ", ".join(line.split(": ", 1)[0] for line in ctx.knowledge_base)
        return KNOWLEDGE_BASE, f"{names} changed" + (f": {detail}" if detail else "")
    return _explain(ctx, INPUT, SETTINGS, THRESHOLD, RESOURCE, WORKFLOW)


def actionability_changes(pid, fa, fb, ctx, calls: list[Change]) -> list[Change]:
    ia, ib = _items(fa), _items(fb)
    changed_calls = {c.item: c for c in calls}
    out = []
    for key in sorted(ia.keys() | ib.keys()):
        a, b = ia.get(key), ib.get(key)
        alteration = key[1]
        behind = [x for i in (a, b) if i for x in _findings_behind(i, fa if i is a else fb)]
        moved = [changed_calls[x] for x in dict.fromkeys(behind) if x in changed_calls]
        ea, eb = _evidence(a), _evidence(b)

        if _tier_text(a) != _tier_text(b):
            ids = ea.keys() | eb.keys()
            cause, reason = _item_cause(ctx, moved, ea, eb, sorted(ids))
            change = "changed" if a and b else ("removed" if a else "added")
            out.append(Change(pid, "tier", alteration, change, _tier_text(a), _tier_text(b),
                              cause, reason))  # fmt: skip
        ta, tb = _therapies(a), _therapies(b)
        for tkey in sorted(ta.keys() | tb.keys()):
            x, y = ta.get(tkey), tb.get(tkey)
            if x and y and _therapy_text(x) == _therapy_text(y):
                continue
            ids = [f"{e['source']}:{e['id']}" for e in ((a or {}).get("evidence") or []) +
                   ((b or {}).get("evidence") or []) if (e["therapy"], e["response"]) == tkey]
            ids += [k for t in (x, y) if t for k in ea.keys() | eb.keys()
                    if k.split(":", 1)[1] in t["evidence"]]  # fmt: skip
            cause, reason = _item_cause(ctx, moved, ea, eb, sorted(set(ids)))
            change = "changed" if x and y else ("removed" if x else "added")
            out.append(Change(pid, "therapy", f"{alteration}: {tkey[0]} ({tkey[1]})", change,
                              _therapy_text(x), _therapy_text(y), cause, reason))  # fmt: skip
    return out


@dataclass
class PatientComparison:
    patient: str
    causes: list[tuple[str, str]]
    changes: list[Change]


def compare_patient(pid: str, a: Run, b: Run) -> PatientComparison:
    fa, fb = a.findings.get(pid), b.findings.get(pid)
    if fa is None or fb is None:
        where = "second" if fa else "first"
        change = Change(pid, "patient", pid, "removed" if fa else "added",
                        "present" if fa else "absent", "present" if fb else "absent", INPUT,
                        f"the patient has no findings in the {where} run")  # fmt: skip
        return PatientComparison(pid, [(INPUT, change.reason)], [change])
    ctx = context(fa, fb, a.provenance.get(pid), b.provenance.get(pid))
    calls = variant_changes(pid, fa, fb, ctx) + copy_number_changes(pid, fa, fb, ctx)
    hotspots = hotspot_changes(pid, fa, fb, ctx, calls)
    tiers = actionability_changes(pid, fa, fb, ctx, calls + hotspots)
    return PatientComparison(pid, ctx.causes(), calls + hotspots + tiers)


def compare_runs(run_a: str | Path, run_b: str | Path) -> list[PatientComparison]:
    a, b = load_run(run_a), load_run(run_b)
    patients = sorted(a.findings.keys() | b.findings.keys())
    return [compare_patient(pid, a, b) for pid in patients]


# --------------------------------------------------------------------------- output

FIELDS = ["patient", "category", "item", "change", "before", "after", "cause", "reason"]


def markdown(result: list[PatientComparison], run_a: str, run_b: str) -> str:
    lines = [
        "# tumorboard compare",
        "",
        f"- first run: {run_a}",
        f"- second run: {run_b}",
        "",
    ]
    for p in result:
        lines += [f"## {p.patient}", ""]
        if not p.changes and not p.causes:
            lines += ["No difference in findings, tiers or therapies, nor in what went in.", ""]
            continue
        lines += ["What differs in what went in:"]
        lines += [f"- {cause}: {text}" for cause, text in p.causes] or ["- nothing recorded"]
        lines += [""]
        if not p.changes:
            lines += ["Findings, tiers and therapies: unchanged.", ""]
            continue
        lines += ["| what | change | first run | second run | why |", "|---|---|---|---|---|"]
        for c in p.changes:
            cells = [f"{c.category}: {c.item}", c.change, c.before, c.after,
                     f"**{c.cause}**: {c.reason}"]  # fmt: skip
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        lines += [""]
    return "\n".join(lines)


def rows(result: list[PatientComparison]) -> list[dict]:
    return [asdict(c) for p in result for c in p.changes]


def tsv(result: list[PatientComparison]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, FIELDS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(result))
    return buf.getvalue()


def to_json(result: list[PatientComparison]) -> str:
    doc = [
        {
            "patient": p.patient,
            "differences": [{"cause": c, "text": t} for c, t in p.causes],
            "changes": [asdict(c) for c in p.changes],
        }
        for p in result
    ]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tumorboard compare",
        description="Per patient, which findings, tiers and therapy lines changed between two "
        "runs, and why (knowledge base, a changed call, a threshold, an input).",
    )
    parser.add_argument("run_a", help="results directory of the first run (or its parent)")
    parser.add_argument("run_b", help="results directory of the second run (or its parent)")
    parser.add_argument("--format", choices=["markdown", "tsv", "json"], default="markdown")
    parser.add_argument("-o", "--output", help="write here instead of standard output")
    args = parser.parse_args(argv)
    try:
        result = compare_runs(args.run_a, args.run_b)
    except CompareError as exc:
        print(f"tumorboard compare: {exc}", file=sys.stderr)
        return 2
    text = {"markdown": lambda r: markdown(r, args.run_a, args.run_b), "tsv": tsv,
            "json": to_json}[args.format](result)  # fmt: skip
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if any(p.changes for p in result) else 0


if __name__ == "__main__":
    sys.exit(main())
