"""A site's own gene models, in any common dialect, as the GFF3 that ``bcftools csq`` reads.

Read dialects (detected from the file, not from its name; gzip or plain):

* GTF (GENCODE, Ensembl): ``gene_id "..."; transcript_id "..."; tag "MANE_Select";``;
* NCBI RefSeq / MANE GFF3: ``ID=gene-TP53``, ``ID=rna-NM_000546.6;Parent=gene-TP53``,
  ``tag=MANE Select``, seqids ``NC_000017.11`` or ``chr17``;
* GENCODE GFF3: ``ID=ENST...;Parent=ENSG...;gene_name=...;tag=basic,MANE_Select``;
* Ensembl GFF3: ``ID=transcript:ENST...;Parent=gene:ENSG...;version=9;tag=...,MANE_Select``;
* the csq dialect itself without MANE tags (``genemodel`` reads it): MANE Select is then
  chosen by accession against the MANE summary, as ``genemodel.select_mane`` does.

Per gene, only the one MANE Select protein-coding transcript is kept.  The file is streamed
twice: the first pass reads gene and transcript lines only and chooses the transcripts, the
second keeps the features of the chosen ones, so memory grows with the output, not the input.

Written features are re-derived, so every dialect gives the same model: CDS = the CDS lines
plus any ``stop_codon`` lines (GTF leaves the stop codon out of CDS, csq wants it in),
phases recomputed from the first CDS; UTRs = exon parts outside the CDS, 5' or 3' by strand
(GTF has ``UTR`` only, NCBI none).

One module (about 510 lines) on purpose: the dialect readers share the two-pass stream and the
re-derivation of features, which is what makes every dialect give the same model.
"""

from __future__ import annotations

import gzip
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .genemodel import read_mane_select

GENE_TYPES = {"gene", "ncRNA_gene", "pseudogene"}
CHILD_TYPES = {"exon", "CDS", "stop_codon"}  # UTRs are re-derived from exons and CDS
_KIND = {kind: n for n, kind in enumerate(sorted(CHILD_TYPES))}
# feature types that are never a gene or transcript line: skipped unparsed in the first pass
SKIP_TYPES = CHILD_TYPES | {
    "UTR",
    "five_prime_UTR",
    "three_prime_UTR",
    "start_codon",
    "Selenocysteine",
    "stop_codon_redefined_as_selenocysteine",
    "five_prime_utr",
    "three_prime_utr",
    "cDNA_match",
    "match",
    "region",
    "chromosome",
    "biological_region",
    "scaffold",
    "supercontig",
}
ID_PREFIXES = ("gene:", "transcript:", "gene-", "rna-")
_GTF_ATTR = re.compile(r'\s*([^\s;"]+)\s+(?:"([^"]*)"|([^;\s]*))\s*;?')
_GTF_SYNTAX = re.compile(r'^\s*[A-Za-z_][\w.]*\s+"')
_REFSEQ_CHROM = re.compile(r"^NC_0000(\d\d)\.\d+$")
_REFSEQ_MITO = re.compile(r"^NC_012920\.\d+$")


def _open(path: str | Path):
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if gz else open(path)


def _core(name: str) -> str:
    """Chromosome name with naming conventions removed: chr17/17/NC_000017.11 -> 17, M/MT -> M."""
    m = _REFSEQ_CHROM.match(name)
    if m:
        n = int(m.group(1))
        return {23: "X", 24: "Y"}.get(n, str(n))
    if _REFSEQ_MITO.match(name):
        return "M"
    core = name[3:] if name[:3].lower() == "chr" else name
    return "M" if core == "MT" else core


class SeqidMap:
    """File seqid -> reference FASTA name: equal, or equal but for a ``chr`` prefix (MT = chrM),
    or a RefSeq chromosome accession (NC_000017.11 = chr17/17, NC_000023 = X, NC_000024 = Y,
    NC_012920 = M).  Anything else (alt, patch, unplaced scaffolds) maps to ``None``."""

    def __init__(self, contig_names: Iterable[str]):
        self.names = list(contig_names)
        self.order = {n: i for i, n in enumerate(self.names)}
        self.by_core: dict[str, str] = {}
        for n in self.names:
            self.by_core.setdefault(_core(n), n)
        self.seen: dict[str, str | None] = {}

    def __call__(self, seqid: str) -> str | None:
        hit = self.seen.get(seqid, "")
        if hit == "":
            hit = seqid if seqid in self.order else self.by_core.get(_core(seqid))
            self.seen[seqid] = hit
        return hit


def _gff3_attrs(text: str) -> dict[str, str]:
    """Column 9 of GFF3, values still percent-encoded (a ``tag`` list splits on raw commas)."""
    out = {}
    for part in text.strip().split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v
    return out


def _gtf_attrs(text: str) -> dict[str, str]:
    """Column 9 of GTF; repeated keys (``tag``) are joined with commas, as GFF3 lists are."""
    out: dict[str, str] = {}
    for m in _GTF_ATTR.finditer(text):
        k, v = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
        out[k] = f"{out[k]},{v}" if k in out else v
    return out


def _tags(attrs: dict[str, str]) -> set[str]:
    """Tags normalised to underscores: ``MANE Select`` (NCBI) = ``MANE_Select`` (GENCODE)."""
    return {unquote(t).strip().replace(" ", "_") for t in attrs.get("tag", "").split(",") if t}


def _strip_prefix(ident: str) -> str:
    for p in ID_PREFIXES:
        if ident.startswith(p):
            return ident[len(p) :]
    return ident


def _strip_version(acc: str) -> str:
    return acc.split(".")[0]


def _dialect_of(attrs: dict[str, str]) -> str:
    ident = attrs.get("ID", "")
    if ident.startswith(("gene:", "transcript:")):
        return "ensembl_gff3"
    if ident.startswith(("gene-", "rna-")) or "gbkey" in attrs:
        return "ncbi_gff3"
    if "gene_type" in attrs or "transcript_type" in attrs or ident.startswith(("ENSG", "ENST")):
        return "gencode_gff3"
    return "gff3"


@dataclass
class _Candidate:
    tx: str  # the file's own transcript key (GFF3 ID, GTF transcript_id)
    accession: str  # versioned where the file gives a version
    gene: str
    seqid: str  # the file's; a GTF may repeat ids on alt scaffolds, rows elsewhere are ignored
    tagged: bool
    in_summary: bool
    xrefs: dict[str, str]


@dataclass
class _Gene:
    symbol: str
    coding: bool
    mapped: bool


@dataclass
class _Kept:
    """One chosen transcript and, after the second pass, its rows."""

    cand: _Candidate
    symbol: str
    gene_row: list[str] | None = None
    tx_row: list[str] | None = None
    # exon/CDS/stop_codon rows flattened as (kind, start, end, phase) integers: whole-genome
    # files keep ~20k transcripts of ~40 rows each, as tuples of objects that is ~6x the memory
    children: array = field(default_factory=lambda: array("q"))


def _lines(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    with _open(path) as fh:
        for n, line in enumerate(fh, start=1):
            if line.startswith("#"):
                if line.startswith("##FASTA"):
                    return
                continue
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 9:
                raise ValueError(f"{path}:{n}: expected 9 tab-separated columns, found {len(cols)}")
            yield n, cols


def _detect(path: str | Path) -> str:
    for _, cols in _lines(path):
        if _GTF_SYNTAX.match(cols[8]):
            return "gtf"
        if cols[2] in SKIP_TYPES:
            continue
        attrs = _gff3_attrs(cols[8])
        if "ID" in attrs or "Parent" in attrs:
            return _dialect_of(attrs)
    raise ValueError(f"{path}: no gene or transcript lines found")


def _accession(attrs: dict[str, str], ident: str, version_key: str) -> str:
    acc = unquote(attrs.get("transcript_id") or _strip_prefix(ident))
    version = attrs.get(version_key)
    if "." not in acc and version:
        acc = f"{acc}.{unquote(version)}"
    return acc


def _xrefs(attrs: dict[str, str], accession: str) -> dict[str, str]:
    """MANE cross-references the file itself gives (own accession, NCBI ``Dbxref``)."""
    out = {}
    ids = [accession] + [x.split(":", 1)[1] for x in attrs.get("Dbxref", "").split(",") if ":" in x]
    for acc in map(unquote, ids):
        if acc.startswith("ENST"):
            out.setdefault("mane_ensembl", acc)
        elif acc.startswith(("NM_", "XM_")):
            out.setdefault("mane_refseq", acc)
    return out


def _is_coding(ftype: str, attrs: dict[str, str]) -> bool:
    biotype = (
        attrs.get("transcript_type") or attrs.get("transcript_biotype") or attrs.get("biotype")
    )
    return biotype == "protein_coding" if biotype else ftype == "mRNA"


def _gene_is_coding(attrs: dict[str, str]) -> bool:
    return "protein_coding" in (
        attrs.get("gene_type") or attrs.get("gene_biotype") or attrs.get("biotype") or ""
    )


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


_RESERVED = str.maketrans({c: f"%{ord(c):02X}" for c in "%;=&,\t\n\r"})


def _escape(value: str) -> str:
    """Percent-encode the characters GFF3 reserves in column 9."""
    return value.translate(_RESERVED)


def _child_rows(kept: _Kept, chrom: str, parent: str) -> tuple[list[list[str]], int, int]:
    """Exon, CDS (stop codon included, phases recomputed) and UTR rows of one transcript;
    also the CDS length and the first CDS's phase.  No rows when exons or CDS are missing."""
    strand = kept.tx_row[6]
    c = kept.children
    rows = [(c[i], c[i + 1], c[i + 2], c[i + 3]) for i in range(0, len(c), 4)]
    exons = sorted({(s, e) for t, s, e, _ in rows if t == _KIND["exon"]})
    cds_parts = [(s, e, p) for t, s, e, p in rows if t == _KIND["CDS"]]
    stops = [(s, e) for t, s, e, _ in rows if t == _KIND["stop_codon"]]
    if not exons or not cds_parts:
        return [], 0, 0
    first = min(cds_parts) if strand == "+" else max(cds_parts, key=lambda c: c[1])
    first_phase = max(first[2], 0)
    cds = _merge([(s, e) for s, e, _ in cds_parts] + stops)
    ordered = cds if strand == "+" else cds[::-1]
    src, tid = kept.tx_row[1], f"Parent=transcript:{_escape(parent)}"
    rows = []
    done = 0
    for s, e in ordered:
        phase = (3 - (done - first_phase) % 3) % 3
        rows.append([chrom, src, "CDS", str(s), str(e), ".", strand, str(phase), tid])
        done += e - s + 1
    lo, hi = cds[0][0], cds[-1][1]
    for s, e in exons:
        rows.append([chrom, src, "exon", str(s), str(e), ".", strand, ".", tid])
        for us, ue in ((s, min(e, lo - 1)), (max(s, hi + 1), e)):
            if us <= ue:
                five = (ue < lo) == (strand == "+")
                kind = "five_prime_UTR" if five else "three_prime_UTR"
                rows.append([chrom, src, kind, str(us), str(ue), ".", strand, ".", tid])
    rows.sort(key=lambda r: (int(r[3]), r[2]))
    return rows, done, first_phase


def convert_gene_models(
    src: str | Path,
    out_gff3: str | Path,
    *,
    contig_names: Iterable[str],
    mane_summary: str | Path | None = None,
    genes: Iterable[str] | None = None,
) -> dict:
    """Write each gene's MANE Select protein-coding transcript of ``src`` as csq-style GFF3.

    ``contig_names`` are the reference FASTA's sequence names in .fai order; file seqids are
    renamed to them (see :class:`SeqidMap`) and features on other seqids are skipped.
    Per gene, MANE Select is the transcript the file tags ``MANE_Select``/``MANE Select``
    (``MANE Plus Clinical`` is not), else one whose accession (version ignored) is a MANE
    Select accession of ``mane_summary``.  Genes without one are skipped (counted).
    ``genes`` (symbols) restricts the output; each must be found.  Returns counts for the log.
    """
    src = str(src)
    seqids = SeqidMap(contig_names)
    dialect = _detect(src)
    gtf = dialect == "gtf"
    parse = _gtf_attrs if gtf else _gff3_attrs
    mane = read_mane_select(mane_summary) if mane_summary else {}
    mane_by_acc = {
        _strip_version(row[k]): row for row in mane.values() for k in ("Ensembl_nuc", "RefSeq_nuc")
    }

    # pass 1: gene and transcript lines -> the chosen transcript per gene
    gene_info: dict[str, _Gene] = {}
    cands: dict[str, list[_Candidate]] = {}
    file_seqids: dict[str, None] = {}
    unmapped_seqids: dict[str, None] = {}
    tx_unmapped = 0
    any_tag = False
    for _, cols in _lines(src):
        ftype = cols[2]
        if ftype in SKIP_TYPES:
            continue
        is_gene = ftype in GENE_TYPES or ftype.endswith("_gene")
        if gtf and not is_gene and ftype != "transcript":
            continue
        attrs = parse(cols[8])
        if gtf:
            gid = attrs.get("gene_id", "")
        else:
            parent = attrs.get("Parent")
            if is_gene and parent is None and "ID" in attrs:
                gid = attrs["ID"]
            elif parent is not None and "ID" in attrs and parent.split(",")[0] in gene_info:
                gid, is_gene = parent.split(",")[0], False  # a transcript: its parent is a gene
            else:
                continue
        mapped = seqids(cols[0]) is not None
        file_seqids.setdefault(cols[0])
        if not mapped:
            unmapped_seqids.setdefault(cols[0])
        if is_gene:
            if gid in gene_info and gene_info[gid].mapped:
                continue  # the same gene id again on an alt scaffold (GTF, Ensembl GFF3)
            symbol = attrs.get("gene_name") or attrs.get("Name") or attrs.get("gene")
            gene_info[gid] = _Gene(
                unquote(symbol or _strip_prefix(gid)), _gene_is_coding(attrs), mapped
            )
            continue
        if not mapped:
            tx_unmapped += 1
            continue
        if gid not in gene_info:  # GTF without gene lines
            symbol = attrs.get("gene_name") or _strip_prefix(gid)
            gene_info[gid] = _Gene(unquote(symbol), _gene_is_coding(attrs), True)
        tagged = "MANE_Select" in _tags(attrs)
        any_tag |= tagged
        tx = attrs.get("transcript_id") if gtf else attrs["ID"]
        if not tx or not _is_coding(ftype, attrs):
            continue
        acc = _accession(attrs, tx, "transcript_version" if gtf else "version")
        in_summary = _strip_version(acc) in mane_by_acc
        if tagged or in_summary:
            cands.setdefault(gid, []).append(
                _Candidate(tx, acc, gid, cols[0], tagged, in_summary, _xrefs(attrs, acc))
            )

    if not any(seqids(s) for s in file_seqids):
        few = ", ".join(list(file_seqids)[:5]) or "none"
        fasta = ", ".join(seqids.names[:5]) + (", ..." if len(seqids.names) > 5 else "")
        raise ValueError(
            f"{src}: none of its sequence names ({few}) matches a reference FASTA sequence "
            f"({fasta}), not even by a 'chr' prefix or as a RefSeq NC_ accession"
        )
    if not any_tag and not mane_summary:
        raise ValueError(
            f"{src}: no transcript is tagged MANE Select; give the MANE summary file to choose "
            "MANE Select transcripts by accession"
        )
    # per gene: its MANE Select tag, else (genes untagged, as in a mixed file) the summary
    chosen: dict[str, _Candidate] = {}
    several = by_tag = 0
    for gid, cs in cands.items():
        hits = [c for c in cs if c.tagged] or [c for c in cs if c.in_summary]
        if hits:
            chosen[gid] = hits[0]
            several += len(hits) > 1
            by_tag += hits[0].tagged

    wanted = None
    if genes is not None:
        wanted = set(genes)
        if wanted:
            have = {gene_info[g].symbol for g in chosen}
            for sym in sorted(wanted - have):
                known = [g for g in gene_info.values() if g.symbol == sym]
                if any(g.mapped for g in known):
                    why = "has no MANE Select protein-coding transcript"
                elif known:
                    why = "lies only on sequences that are not in the reference FASTA"
                else:
                    why = "is not"
                raise ValueError(f"gene {sym} {why} in {src}")
        else:
            wanted = None
    kept = {
        c.tx: _Kept(c, gene_info[g].symbol)
        for g, c in chosen.items()
        if wanted is None or gene_info[g].symbol in wanted
    }
    kept_genes = {k.cand.gene: k for k in kept.values()}

    # pass 2: the rows of the chosen genes and transcripts
    tx_key = re.compile(r'transcript_id "([^"]+)"') if gtf else re.compile(r"Parent=([^;]+)")
    for _, cols in _lines(src):
        ftype = cols[2]
        if ftype in CHILD_TYPES:
            m = tx_key.search(cols[8])
            if m is None:
                continue
            for parent in m.group(1).split(","):
                k = kept.get(parent)
                if k is not None and k.cand.seqid == cols[0]:
                    phase = int(cols[7]) if cols[7] in ("0", "1", "2") else -1
                    k.children.extend((_KIND[ftype], int(cols[3]), int(cols[4]), phase))
            continue
        if ftype in SKIP_TYPES:
            continue
        attrs = parse(cols[8])
        key = attrs.get("transcript_id") if gtf else attrs.get("ID")
        if key in kept and (not gtf or ftype == "transcript") and kept[key].cand.seqid == cols[0]:
            kept[key].tx_row = cols[:8]
        gid = attrs.get("gene_id") if gtf else attrs.get("ID")
        k = kept_genes.get(gid)
        if k and (ftype in GENE_TYPES or ftype.endswith("_gene")) and k.cand.seqid == cols[0]:
            k.gene_row = cols[:8]

    # each transcript's block goes to a scratch file as it is made; then blocks are copied in
    # reference order, so no more than one transcript's rows are held as text at a time
    blocks: list[tuple[tuple, int, int]] = []
    no_cds = frame = duplicate = 0
    written: set[str] = set()
    scratch_path = Path(f"{out_gff3}.unsorted")
    with open(scratch_path, "w+", encoding="utf-8") as scratch:
        for k in kept.values():
            if k.tx_row is None:
                continue
            acc = k.cand.accession
            if acc in written:
                duplicate += 1
                continue
            chrom = seqids(k.tx_row[0])
            children, cds_len, first_phase = _child_rows(k, chrom, acc)
            k.children = array("q")
            if not children:
                no_cds += 1
                continue
            frame += (cds_len - first_phase) % 3 != 0
            written.add(acc)
            row = mane_by_acc.get(_strip_version(acc))
            ids = (
                {"mane_refseq": row["RefSeq_nuc"], "mane_ensembl": row["Ensembl_nuc"]}
                if row
                else k.cand.xrefs
            )
            gid = _strip_prefix(k.cand.gene)
            tx_attrs = [f"ID=transcript:{_escape(acc)}", f"Parent=gene:{_escape(gid)}"]
            tx_attrs.append("biotype=protein_coding")
            for key in ("mane_refseq", "mane_ensembl"):
                if ids.get(key):
                    tx_attrs.append(f"{key}={_escape(ids[key])}")
            g, t = k.gene_row or k.tx_row, k.tx_row
            gene_attrs = f"ID=gene:{_escape(gid)};Name={_escape(k.symbol)};biotype=protein_coding"
            rows = [
                [chrom, g[1], "gene", g[3], g[4], ".", g[6], ".", gene_attrs],
                [chrom, t[1], "mRNA", t[3], t[4], ".", t[6], ".", ";".join(tx_attrs)],
                *children,
            ]
            text = "".join("\t".join(r) + "\n" for r in rows)
            offset = scratch.tell()
            scratch.write(text)
            blocks.append(((seqids.order[chrom], int(g[3]), int(g[4]), gid), offset, len(text)))
        blocks.sort()
        with open(out_gff3, "w", encoding="utf-8") as fh:
            fh.write("##gff-version 3\n")
            for _, offset, size in blocks:
                scratch.seek(offset)
                fh.write(scratch.read(size))
    scratch_path.unlink()

    mapped_genes = [g for g in gene_info.values() if g.mapped]
    without = [g for gid, g in gene_info.items() if g.mapped and gid not in chosen]
    return {
        "dialect": dialect if dialect != "ensembl_gff3" or any_tag else "csq_gff3",
        "chosen_by_tag": by_tag,
        "chosen_by_summary": len(chosen) - by_tag,
        "genes_in_file": len(mapped_genes),
        "genes_kept": len(blocks),
        "genes_without_mane_select": len(without),
        "protein_coding_genes_without_mane_select": sum(g.coding for g in without),
        "genes_with_several_mane_select": several,
        "mane_select_without_cds": no_cds,
        "cds_length_not_multiple_of_3": frame,
        "duplicate_transcripts_skipped": duplicate,
        "transcripts_skipped_unmapped_seqid": tx_unmapped,
        "unmapped_seqids": list(unmapped_seqids)[:10],
        "seqid_map": {s: seqids(s) for s in file_seqids if seqids(s)},
    }
