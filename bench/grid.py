"""The truth grid: somatic SNVs, MNVs, deletions and insertions at fixed allele fractions, in
hotspot codons and elsewhere in the panel's coding exons, written as simulator truth files.

Layout.  Hotspot codons/regions (``resources/hotspots.tsv`` on the MANE models) closer than
``SPACING`` bp are grouped into *clusters*; each replicate puts one event in every cluster.  The
rest of the coding sequence is cut into *slots* at least ``SPACING`` bp from each other, from the
clusters and from the germline SNPs; each replicate puts one event in every slot.  Types cycle
SNV, MNV, DEL, INS over the slots and, within each type, allele fractions cycle over ``VAFS``, so
every (VAF x type) cell gets the same number of events up to one.  Every event is left-normalised
and checked again after normalisation (still in the coding exon, still hot or not hot).
"""

from __future__ import annotations

import csv
import random
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from variants import Allele, Genome, left_normalise

from tumorboard.reference import genemodel

VAFS = (0.01, 0.02, 0.05, 0.10, 0.20, 0.40)
TYPES = ("SNV", "MNV", "DEL", "INS")
SPACING = 200  # bp between events (so that they do not interact)
MARGIN = 35  # bp kept free inside a coding segment on each side of a slot (left shifts, 30-bp dels)
SLOT_STEP = SPACING + 2 * MARGIN
MAX_DEL, MAX_INS = 30, 20
BASES = "ACGT"


@dataclass(frozen=True)
class HotspotSite:
    label: str
    gene: str
    chrom: str
    positions: tuple[int, ...]  # GRCh38 bases of the codon(s), ascending
    event: str  # any, deletion or insertion

    @property
    def lo(self) -> int:
        return self.positions[0]

    @property
    def hi(self) -> int:
        return self.positions[-1]

    def allows(self, kind: str) -> bool:
        return self.event == "any" or (self.event, kind) in {
            ("deletion", "DEL"),
            ("insertion", "INS"),
        }

    def holds(self, a: Allele) -> bool:
        if a.chrom != self.chrom or not self.allows(a.kind):
            return False
        lo, hi = a.changed_span()
        if self.event == "any":
            return any(lo <= p <= hi for p in self.positions)
        return self.lo <= lo and hi <= self.hi


@dataclass
class Cluster:
    sites: list[HotspotSite]

    @property
    def chrom(self) -> str:
        return self.sites[0].chrom

    @property
    def lo(self) -> int:
        return min(s.lo for s in self.sites)

    @property
    def hi(self) -> int:
        return max(s.hi for s in self.sites)

    def kinds(self) -> set[str]:
        return {k for k in TYPES if any(s.allows(k) for s in self.sites)}


@dataclass(frozen=True)
class Segment:
    """A coding-exon piece (GRCh38, closed) of one gene."""

    gene: str
    chrom: str
    start: int
    end: int


@dataclass(frozen=True)
class Event:
    id: str
    gene: str
    allele: Allele
    vaf: float
    kind: str
    hotspot: bool
    label: str

    def as_truth(self) -> dict:
        a = self.allele
        return {
            "id": self.id,
            "gene": self.gene,
            "chrom": a.chrom,
            "pos": a.pos,
            "ref": a.ref,
            "alt": a.alt,
            "vaf": self.vaf,
            "type": self.kind,
            "hotspot": self.hotspot,
            "label": self.label,
        }


# ---------------------------------------------------------------- hotspots and coding segments


def read_hotspot_rows(path: str | Path) -> list[dict]:
    """Rows of the hotspot table; ``codon_end`` and ``event`` are optional columns."""
    with open(path, newline="") as fh:
        return list(csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"))


def load_models(mirror: Path, genes: list[str]) -> dict[str, genemodel.Transcript]:
    """MANE Select transcripts (GRCh38) of the panel genes, as tests/conftest.py loads them."""
    models = genemodel.read_gff3(mirror / "annotation" / "genes.grch38.gff3")
    mane = genemodel.read_mane_select(mirror / "annotation" / "MANE.GRCh38.v1.0.summary.txt.gz")
    return {t.gene: t for t in genemodel.select_mane(models, mane, genes).transcripts}


def hotspot_sites(rows: list[dict], tx: dict[str, genemodel.Transcript]) -> list[HotspotSite]:
    sites = []
    for r in rows:
        t = tx.get(r["gene"])
        if t is None:
            continue
        first = int(r["codon"])
        last = int(r.get("codon_end") or first)
        pos = sorted(p for c in range(first, last + 1) for p in t.codon_positions(c))
        event = r.get("event") or "any"
        label = (
            f"{r['gene']} {r['ref_aa']}{first}"
            if event == "any"
            else (f"{r['gene']} exon {r['exon']} {event}")
        )
        sites.append(HotspotSite(label, r["gene"], t.chrom, tuple(pos), event))
    return sorted(sites, key=lambda s: (s.chrom, s.lo))


def clusters(sites: list[HotspotSite]) -> list[Cluster]:
    """Hotspot sites closer than SPACING grouped together (one event per cluster)."""
    out: list[Cluster] = []
    for s in sites:
        if out and out[-1].chrom == s.chrom and s.lo - out[-1].hi < SPACING:
            out[-1].sites.append(s)
        else:
            out.append(Cluster([s]))
    return out


def coding_segments(tx: dict[str, genemodel.Transcript]) -> list[Segment]:
    return [Segment(g, t.chrom, s, e) for g, t in sorted(tx.items()) for s, e in t.cds]


def far_from(chrom: str, lo: int, hi: int, reserved: list[tuple[str, int, int]], gap: int) -> bool:
    """``chrom:lo-hi`` is more than ``gap`` bp from every interval of ``reserved``."""
    return all(c != chrom or hi < s - gap or lo > e + gap for c, s, e in reserved)


def slots(
    segments: list[Segment], reserved: list[tuple[str, int, int]]
) -> list[tuple[Segment, int]]:
    """Anchor positions for non-hotspot events, SLOT_STEP apart and far from ``reserved``."""
    out: list[tuple[Segment, int]] = []
    for seg in segments:
        pos = seg.start + MARGIN
        while pos <= seg.end - MARGIN:
            if far_from(seg.chrom, pos, pos, reserved, SLOT_STEP):
                out.append((seg, pos))
                reserved = [*reserved, (seg.chrom, pos, pos)]
                pos += SLOT_STEP
            else:
                pos += 1
    return out


# ---------------------------------------------------------------- building single events


@dataclass
class Allocator:
    """Cycles types over events and, within a type, VAFs and indel lengths."""

    n: int = 0
    per_type: dict[str, int] = field(default_factory=dict)

    def next_kind(self, allowed: set[str]) -> str:
        for i in range(len(TYPES)):
            kind = TYPES[(self.n + i) % len(TYPES)]
            if kind in allowed:
                self.n += 1
                return kind
        raise ValueError(f"no type allowed among {allowed}")

    def next_vaf(self, kind: str) -> tuple[float, int]:
        """(VAF, running index of this type) for the next event of ``kind``."""
        i = self.per_type.get(kind, 0)
        self.per_type[kind] = i + 1
        return VAFS[i % len(VAFS)], i


def substitute(base: str, rng: random.Random) -> str:
    return rng.choice([b for b in BASES if b != base])


def raw_allele(
    genome: Genome, chrom: str, anchor: int, kind: str, size: int, mode: int, rng: random.Random
) -> Allele:
    """An un-normalised event of ``kind`` at ``anchor``: SNV/MNV on the anchor base(s), a deletion
    of ``size`` bases after it, or an insertion of ``size`` bases after it (mode 0 duplicates the
    bases ending at the anchor, as tandem duplications do; mode 1 inserts random bases)."""
    if kind == "SNV":
        ref = genome.seq(chrom, anchor, anchor)
        return Allele(chrom, anchor, ref, substitute(ref, rng))
    if kind == "MNV":
        ref = genome.seq(chrom, anchor, anchor + 1)
        return Allele(chrom, anchor, ref, "".join(substitute(b, rng) for b in ref))
    if kind == "DEL":
        ref = genome.seq(chrom, anchor, anchor + size)
        return Allele(chrom, anchor, ref, ref[0])
    ref = genome.seq(chrom, anchor, anchor)
    ins = (
        genome.seq(chrom, anchor - size + 1, anchor)
        if mode == 0
        else "".join(rng.choice(BASES) for _ in range(size))
    )
    return Allele(chrom, anchor, ref, ref + ins)


def event_size(kind: str, index: int) -> int:
    if kind == "DEL":
        return 1 + index % MAX_DEL
    if kind == "INS":
        return 1 + index % MAX_INS
    return 1


def inside(a: Allele, lo: int, hi: int) -> bool:
    s, e = a.changed_span()
    return lo <= s and e <= hi


def is_hotspot(a: Allele, sites: list[HotspotSite]) -> bool:
    return any(s.holds(a) for s in sites)


def candidates(anchors: list[int], kind: str, size: int) -> Iterator[tuple[int, int, int]]:
    """(anchor, size, insertion mode) tried in turn until one gives a valid event."""
    sizes = [size, *range(1, size)] if kind in ("DEL", "INS") else [1]
    for s in sizes:
        for anchor in anchors:
            for mode in (0, 1) if kind == "INS" else (0,):
                yield anchor, s, mode


# ---------------------------------------------------------------- one replicate


@dataclass
class GridContext:
    genome: Genome
    sites: list[HotspotSite]
    clusters: list[Cluster]
    slots: list[tuple[Segment, int]]
    specials: list[Event]  # fixed events (EGFR exon 19 deletion, ERBB2 YVMA insertion)
    segments: list[Segment]
    germline: list[dict]  # heterozygous SNPs kept (those far from every hotspot cluster)


def coding_segment(ctx: GridContext, a: Allele) -> Segment | None:
    for seg in ctx.segments:
        if seg.chrom == a.chrom and inside(a, seg.start, seg.end):
            return seg
    return None


def build_event(
    ctx: GridContext,
    anchors: list[int],
    chrom: str,
    kind: str,
    size: int,
    want_hot: bool,
    rng: random.Random,
    accept,
) -> Allele:
    """First normalised event from ``candidates`` that stays coding, hot/not hot, and accepted."""
    for anchor, s, mode in candidates(anchors, kind, size):
        a = left_normalise(ctx.genome, raw_allele(ctx.genome, chrom, anchor, kind, s, mode, rng))
        if (
            a.kind == kind
            and coding_segment(ctx, a) is not None
            and is_hotspot(a, ctx.sites) == want_hot
            and accept(a)
        ):
            return a
    raise ValueError(f"no valid {kind} near {chrom}:{anchors[0]}")


def hotspot_anchors(site: HotspotSite, kind: str, turn: int) -> list[int]:
    """Anchors inside ``site``, rotated by ``turn`` so that replicates hit different bases."""
    if kind == "DEL":  # the anchor precedes the first deleted base
        base = [p - 1 for p in site.positions]
    elif kind == "MNV":
        base = [p for p in site.positions if p + 1 in site.positions]
    else:
        base = list(site.positions)
    k = turn % len(base)
    return base[k:] + base[:k]


def cluster_event(
    ctx: GridContext, cluster: Cluster, alloc: Allocator, turn: int, rng: random.Random, eid: str
) -> Event:
    kind = alloc.next_kind(cluster.kinds())
    vaf, i = alloc.next_vaf(kind)
    usable = [s for s in cluster.sites if s.allows(kind)]
    site = usable[turn % len(usable)]
    a = build_event(
        ctx,
        hotspot_anchors(site, kind, turn),
        site.chrom,
        kind,
        event_size(kind, i),
        True,
        rng,
        lambda a: site.holds(a) and inside(a, cluster.lo - MARGIN, cluster.hi + MARGIN),
    )
    return Event(eid, site.gene, a, vaf, kind, True, f"{site.label} {kind}")


def slot_event(
    ctx: GridContext,
    seg: Segment,
    anchor: int,
    alloc: Allocator,
    turn: int,
    rng: random.Random,
    eid: str,
) -> Event:
    kind = alloc.next_kind(set(TYPES))
    vaf, i = alloc.next_vaf(kind)
    anchors = [anchor + (turn + d) % 5 for d in range(5)]
    a = build_event(
        ctx,
        anchors,
        seg.chrom,
        kind,
        event_size(kind, i),
        False,
        rng,
        lambda a: inside(a, anchor - MARGIN, anchor + MARGIN) and coding_segment(ctx, a) == seg,
    )
    return Event(eid, seg.gene, a, vaf, kind, False, f"{seg.gene} coding {kind}")


def grid_events(ctx: GridContext, replicates: int, seed: int) -> list[list[Event]]:
    """Somatic events of each replicate.  The allocators run on across replicates, so that the
    (VAF x type) cells stay balanced over the whole grid and a slot changes type between
    replicates."""
    hot, cold = Allocator(), Allocator()
    return [replicate_events(ctx, rep, seed, hot, cold) for rep in range(replicates)]


def replicate_events(
    ctx: GridContext, rep: int, seed: int, hot: Allocator, cold: Allocator
) -> list[Event]:
    """All somatic events of replicate ``rep`` (0-based)."""
    rng = random.Random(seed * 1000 + rep)
    events: list[Event] = []
    for sp in ctx.specials:
        alloc = hot if sp.hotspot else cold
        vaf, _ = alloc.next_vaf(sp.kind)
        events.append(
            Event(f"R{rep + 1}_{sp.id}", sp.gene, sp.allele, vaf, sp.kind, sp.hotspot, sp.label)
        )
    fixed = [(e.allele.chrom, e.allele.pos, e.allele.end) for e in ctx.specials]
    for n, cl in enumerate(ctx.clusters, start=1):
        if far_from(cl.chrom, cl.lo, cl.hi, fixed, SPACING + MARGIN):
            events.append(cluster_event(ctx, cl, hot, rep + n, rng, f"R{rep + 1}_H{n:02d}"))
    for n, (seg, anchor) in enumerate(ctx.slots, start=1):
        events.append(slot_event(ctx, seg, anchor, cold, rep + n, rng, f"R{rep + 1}_S{n:03d}"))
    return events


def check_spacing(events: list[Allele], gap: int = SPACING) -> None:
    ordered = sorted(events, key=lambda a: (a.chrom, a.pos))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.chrom == b.chrom and b.pos - a.end < gap:
            raise ValueError(f"events closer than {gap} bp: {a} and {b}")


# ---------------------------------------------------------------- the fixed (named) events


def erbb2_yvma(genome: Genome, tx: genemodel.Transcript) -> Allele:
    """ERBB2 p.A775_G776insYVMA = NM_004448.4 c.2313_2324dup, left-normalised."""
    cds = tx.coding_positions()
    dup = [cds[i] for i in range(2312, 2324)]  # c.2313..c.2324 (plus-strand gene)
    if tx.strand != "+" or dup[-1] - dup[0] != 11:
        raise ValueError("ERBB2 c.2313_2324 is not one plus-strand stretch in the MANE model")
    seq = genome.seq(tx.chrom, dup[0], dup[-1])
    anchor = genome.seq(tx.chrom, dup[-1], dup[-1])
    return left_normalise(genome, Allele(tx.chrom, dup[-1], anchor, anchor + seq))


def specials(
    genome: Genome, tx: dict[str, genemodel.Transcript], sites: list[HotspotSite]
) -> list[Event]:
    egfr = left_normalise(genome, Allele("chr7", 55174772, "GGAATTAAGAGAAGCA", "G"))
    erbb2 = erbb2_yvma(genome, tx["ERBB2"])
    return [
        Event(
            "EGFR_E746_A750del",
            "EGFR",
            egfr,
            0.0,
            "DEL",
            is_hotspot(egfr, sites),
            "EGFR exon 19 E746_A750del (15 bp)",
        ),
        Event(
            "ERBB2_A775_G776insYVMA",
            "ERBB2",
            erbb2,
            0.0,
            "INS",
            is_hotspot(erbb2, sites),
            "ERBB2 exon 20 A775_G776insYVMA (c.2313_2324dup)",
        ),
    ]


# ---------------------------------------------------------------- context, files, checks


def make_context(
    genome: Genome, mirror: Path, genes: list[str], hotspots_tsv: Path, germline: list[dict]
) -> GridContext:
    tx = load_models(mirror, genes)
    sites = hotspot_sites(read_hotspot_rows(hotspots_tsv), tx)
    cls = clusters(sites)
    fixed = specials(genome, tx, sites)
    reserved = [(c.chrom, c.lo, c.hi) for c in cls]
    reserved += [(e.allele.chrom, e.allele.pos, e.allele.end) for e in fixed]
    kept = [
        g
        for g in germline
        if far_from(g["chrom"], int(g["pos"]), int(g["pos"]), reserved, SPACING + MARGIN)
    ]
    reserved += [(g["chrom"], int(g["pos"]), int(g["pos"])) for g in kept]
    segs = coding_segments(tx)
    return GridContext(genome, sites, cls, slots(segs, reserved), fixed, segs, kept)


def truth_document(patient: str, events: list[Event], germline: list[dict]) -> dict:
    return {
        "patient": patient,
        "tumour_type": "simulated benchmark tumour",
        "purity": 1.0,
        "somatic": [e.as_truth() for e in events],
        "germline": germline,
        "copy_number": [],
    }


def write_truth(path: Path, doc: dict, header: str) -> None:
    """Write the truth file unless it already says the same (an unchanged file keeps its mtime,
    so Snakemake does not simulate its reads again)."""
    text = header + yaml.safe_dump(doc, sort_keys=False)
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def verify_normalised(genome: Genome, doc: dict, scratch: Path) -> None:
    """``bcftools norm -f`` (on the demo contigs) must leave every record as it is, and every
    REF must match the reference (``--check-ref e``)."""
    rows = []
    for kind in ("somatic", "germline"):
        for v in doc.get(kind, []):
            contig, cpos = genome.locate(v["chrom"], int(v["pos"]))
            rows.append((contig, cpos, v["ref"], v["alt"]))
    rows.sort()
    contigs = sorted({r[0] for r in rows})
    vcf = scratch.with_suffix(".vcf")
    vcf.parent.mkdir(parents=True, exist_ok=True)
    with open(vcf, "w") as fh:
        fh.write("##fileformat=VCFv4.2\n")
        for c in contigs:
            fh.write(f"##contig=<ID={c},length={genome.fa.get_reference_length(c)}>\n")
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for c, p, r, a in rows:
            fh.write(f"{c}\t{p}\t.\t{r}\t{a}\t.\t.\t.\n")
    res = subprocess.run(
        ["bcftools", "norm", "-f", genome.fasta, "--check-ref", "e", str(vcf)],
        capture_output=True,
        text=True,
        check=True,
    )
    after = [tuple(ln.split("\t")[:5]) for ln in res.stdout.splitlines() if ln[0] != "#"]
    before = [(c, str(p), ".", r, a) for c, p, r, a in rows]
    if after != before:
        changed = [b for b, a in zip(before, after, strict=False) if a != b]
        raise ValueError(f"truth not left-normalised (bcftools norm changed {changed[:3]})")
