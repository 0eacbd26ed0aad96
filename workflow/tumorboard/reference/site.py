"""Site mode: the user's GRCh38 FASTA, bwa index, capture BED and gene models, checked up front.

Everything here runs when the workflow is parsed, before any job: a missing index file or a BED
that names ``7`` where the FASTA says ``chr7`` stops the run with one line naming the file and
the fix, instead of failing an hour into alignment.  Only cheap reads are done (the ``.fai``,
the BED, the first lines of the gene-model file, VCF and BAM/CRAM headers).
"""

from __future__ import annotations

from pathlib import Path

from ..inputs.aligned_input import is_cram
from .contigs import (
    ContigNameError,
    check_names,
    fai_lengths,
    gff_names,
    header_names,
    translate_name,
)
from .gene_model_formats import SeqidMap
from .panel import read_bed

BWA_SUFFIXES = (".amb", ".ann", ".bwt", ".pac", ".sa")


class SiteError(Exception):
    """A site-mode input is missing or unusable (the message is one line)."""


def _need(path: str, what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise SiteError(f"{what} {path}: file not found")
    return p


def check_reference(fasta: str, bwa_index: str = "") -> list[str]:
    """The FASTA, its ``.fai`` (and ``.gzi`` when bgzipped) and a given bwa index exist;
    returns the FASTA's sequence names."""
    _need(fasta, "reference.fasta")
    if not Path(f"{fasta}.fai").is_file():
        raise SiteError(
            f"reference.fasta {fasta}: no {fasta}.fai beside it "
            f"(make it with: samtools faidx {fasta})"
        )
    if fasta.endswith(".gz") and not Path(f"{fasta}.gzi").is_file():
        raise SiteError(
            f"reference.fasta {fasta}: bgzipped FASTA without {fasta}.gzi "
            f"(samtools faidx {fasta} writes it; a plain-gzip FASTA must be bgzipped first)"
        )
    names = list(fai_lengths(f"{fasta}.fai"))
    if not names:
        raise SiteError(f"reference.fasta {fasta}: its .fai lists no sequence")
    if bwa_index:
        missing = [s for s in BWA_SUFFIXES if not Path(f"{bwa_index}{s}").is_file()]
        if missing:
            gone = ", ".join(bwa_index + s for s in missing)
            raise SiteError(
                f"reference.bwa_index {bwa_index}: missing {gone} "
                "(give the prefix bwa index was run with, or leave it empty to build the index)"
            )
        ann = Path(f"{bwa_index}.ann").read_text().split("\n")
        # .ann: header line, then two lines per sequence ("gi name comment", "offset len n_ambs")
        indexed = [ann[i].split(" ")[1] for i in range(1, len(ann) - 1, 2) if ann[i].strip()]
        if indexed != names:
            raise SiteError(
                f"reference.bwa_index {bwa_index}: indexes {len(indexed)} sequences that differ "
                f"from the {len(names)} of {fasta}.fai (an index of another FASTA?)"
            )
    return names


def check_site(config: dict, sheet) -> None:
    """All site-mode checks: reference, panel BED, gene models, and the names used by the
    sheet's VCFs and CRAMs, against the reference FASTA."""
    ref = config["reference"]
    fasta = ref["fasta"]
    names = check_reference(fasta, ref.get("bwa_index", ""))
    bed = config["panel"].get("bed", "")
    if bed:
        _need(bed, "panel.bed")
        try:  # the reader the panel uses: a malformed line stops here, before any job
            found = list(dict.fromkeys(t.contig for t in read_bed(bed)))
        except ValueError as exc:
            raise SiteError(f"panel.bed {exc}") from None
        if not found:
            raise SiteError(f"panel.bed {bed}: no target lines")
        check_names("panel.bed", bed, found, names, fasta)
    elif not config["panel"]["genes"]:
        raise SiteError("panel: give a capture BED (panel.bed) or the genes to target")
    gff = config.get("annotation", {}).get("gene_models", "")
    if gff:
        _need(gff, "annotation.gene_models")
        seqids = gff_names(gff, max_lines=50_000)
        to_reference = SeqidMap(names)  # the renaming the conversion itself applies
        if seqids and not any(to_reference(s) for s in seqids):
            raise ContigNameError(
                f"annotation.gene_models {gff}: none of its sequences "
                f"({', '.join(seqids[:3])}) is in the reference FASTA {fasta} "
                f"({', '.join(names[:3])}, ...): is it a GRCh38 gene-model file?"
            )
    ref_set = set(names)
    for patient in sheet.patients.values():
        for sample in patient.samples:
            if sample.vcf:
                declared = header_names(sample.vcf)
                if declared and not any(translate_name(c, ref_set) for c in declared):
                    raise ContigNameError(
                        f"VCF {sample.vcf}: none of its ##contig names ({', '.join(declared[:3])}) "
                        f"is a sequence of the reference FASTA {fasta}"
                    )
            for unit in sample.units:
                aligned = unit.get("bam", "")
                if aligned and is_cram(aligned):  # by content, as the sheet checks it
                    check_names(
                        f"CRAM of {sample.sample}/{unit['unit']}",
                        aligned,
                        header_names(aligned),
                        names,
                        fasta,
                    )
