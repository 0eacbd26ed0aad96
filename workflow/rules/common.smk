# Sheet parsing and small input helpers; the logic lives in workflow/tumorboard (tested).
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

from tumorboard import costs as tb_costs
from tumorboard.inputs import sheet as tb_sheet
from tumorboard.reference import contigs as tb_contigs
from tumorboard.reference import resources as tb_resources
from tumorboard.reference import site as tb_site
from tumorboard.knowledge import tumour_types as tb_tumour_types

PROJECT = Path(workflow.basedir)
CACHE = config["resources"]["cache"]
# Two reference modes (../shared/docs/ARCHITECTURE.md): the demo reference is built from the
# manifest's GRCh38 loci; in site mode (reference.fasta set) the user's whole GRCh38 FASTA, bwa
# index, capture BED and gene-model file are used and the contig map is the identity.  Every
# rule after these paths is the same in both modes.
SITE = bool(config["reference"]["fasta"])
if SITE:
    REF = config["reference"]["fasta"]
    BUILT = f"{CACHE}/site"
    BWA_INDEX = config["reference"]["bwa_index"] or f"{BUILT}/bwa/genome"
    GFF = f"{BUILT}/annotation/mane_select.gff3"
    GFF_GRCH38 = GFF
else:
    REF = f"{CACHE}/reference/genome.fa"
    BUILT = CACHE
    BWA_INDEX = REF
    GFF = f"{CACHE}/annotation/mane_select.contigs.gff3"
    GFF_GRCH38 = f"{CACHE}/annotation/mane_select.grch38.gff3"
CONTIGS = f"{BUILT}/reference/contigs.tsv"
TARGETS = f"{BUILT}/panel/targets.bed"
TARGETS_GRCH38 = f"{BUILT}/panel/targets.grch38.bed"
# the copy-number background (rule antitargets)
ANTITARGETS = f"{BUILT}/panel/antitargets.bed"
BWA_FILES = multiext(BWA_INDEX, ".amb", ".ann", ".bwt", ".pac", ".sa")
KNOWLEDGEBASE = f"{CACHE}/knowledgebase/knowledgebase.json"
ENVS = PROJECT / "envs"


def project_file(path):
    """Project-shipped files (manifest, hotspots, truth) are found relative to the project."""
    p = Path(path)
    return str(p if p.is_absolute() else PROJECT / p)


def demo_reads():
    d = config["demo"]
    return {
        f"results/demo/reads/{s}/{u}_R{r}.fastq.gz"
        for s in (d["tumour_sample"], d["normal_sample"])
        for u in d["units"]
        for r in (1, 2)
    }


def genome_mb(fasta):
    """Length of a FASTA's sequences in Mb, from its .fai when there is one (a bgzipped FASTA's
    file size understates it), else from the file size."""
    fai = Path(f"{fasta}.fai")
    if fai.is_file():
        return sum(tb_contigs.fai_lengths(fai).values()) / 1e6
    return Path(fasta).stat().st_size / 1e6 if Path(fasta).exists() else 20


try:
    MANIFEST = tb_resources.load_manifest(project_file(config["resources"]["manifest"]))
    SHEET = tb_sheet.load_sheet(
        config["samples"],
        config["units"],
        produced=demo_reads(),
        # a cluster job re-reads the sheet: the submitting run has opened every file already
        check_files=not workflow.remote_exec,
    )
    ONTOLOGY = tb_tumour_types.load_ontology()
    for _patient in SHEET.patients.values():
        try:
            ONTOLOGY.resolve(_patient.tumour.tumour_type)
        except tb_tumour_types.TumourTypeError as exc:
            raise tb_sheet.SheetError(
                f"{config['samples']}: patient {_patient.id}: {exc}"
            )
    if SITE:  # names and files of the user's reference, panel and gene models
        tb_site.check_site(config, SHEET)
    elif not config["panel"]["genes"]:
        raise tb_sheet.SheetError(
            "panel.genes is empty: the demo panel needs its genes"
        )
except (
    tb_sheet.SheetError,
    tb_resources.ResourceError,
    tb_site.SiteError,
    tb_contigs.ContigNameError,
) as exc:
    raise WorkflowError(f"tumorboard: {exc}")


# the genome's size in Mb (its .fai; the demo reference is not built yet when the run is
# planned: ~20 Mb), for the alignment job's memory (tumorboard.costs)
GENOME_MB = genome_mb(REF)


def bwa_index_cost(mb):
    """(runtime in min, memory in MB) asked for by rule bwa_index for a genome of ``mb`` Mb.
    Measured (bench/results/bwa_index.md): bwtsw took 2.2 CPU-s and 1.5 MB per Mb of genome;
    asked for with margin, so GRCh38 (3,100 Mb) asks for ~3 h and ~5.6 GB."""
    return max(10, int(0.06 * mb)), max(1000, int(1.8 * mb))


if SITE and not config["reference"]["bwa_index"]:
    _mb = genome_mb(REF)  # reads the .fai once
    _minutes, _mem = bwa_index_cost(_mb)
    print(
        f"tumorboard: no reference.bwa_index given: bwa index of {REF} "
        f"({_mb:,.0f} Mb) is built into {BWA_INDEX}: about "
        f"{0.037 * _mb:.0f} min on one core, asking for up to {_minutes} min and "
        f"{_mem / 1000:.1f} GB (GRCh38: an hour or more, ~5 GB)",
        file=sys.stderr,
    )

SEQUENCES = [r for r in MANIFEST.values() if r.kind == "sequence"]
FILES = {r.id: r for r in MANIFEST.values() if r.kind == "file"}
# the project's gene models: every manifest file with role gene_models, read as one GFF3
PROJECT_GENE_MODELS = f"{CACHE}/annotation/project_gene_models.grch38.gff3"
BACKGROUND_CONTIGS = [
    r.contig for r in SEQUENCES if r.role in ("control", "background")
]
NORMALS = [s.sample for s in SHEET.samples.values() if s.type == "normal"]
# A patient's somatic calls come from its reads (rule somatic_call) or from its VCF (rule
# import_vcf): the two rules make the same files, so each matches only its own patients.
READ_PATIENT = tb_sheet.ids_pattern(
    pid for pid, p in SHEET.patients.items() if not p.tumour.from_vcf
)
VCF_PATIENT = tb_sheet.ids_pattern(
    pid for pid, p in SHEET.patients.items() if p.tumour.from_vcf
)


wildcard_constraints:
    sample=r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
    # results/provenance/tool_versions.json is not a patient's provenance
    patient=r"(?!tool_versions\.json$)[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
    unit=r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
    rid=r"[A-Za-z0-9_]+",


def fetched_file(rid):
    return f"{CACHE}/fetched/{rid}/{FILES[rid].filename}"


def lane_fastq(sample, unit):
    """A unit's FASTQ pair; for a BAM/CRAM unit, its reads unpacked by unpack.smk."""
    u = SHEET.unit(sample, unit)
    if tb_sheet.is_aligned_input(u):
        unpacked = f"results/unpack/{sample}/{unit}"
        return {"r1": f"{unpacked}_R1.fastq.gz", "r2": f"{unpacked}_R2.fastq.gz"}
    return {"r1": u["fq1"], "r2": u["fq2"]}


def sample_lanes(wildcards):
    """(unit, R1, R2) of each of the sample's lanes, in sheet order (rule align)."""
    return [
        (u["unit"], *lane_fastq(wildcards.sample, u["unit"]).values())
        for u in SHEET.units(wildcards.sample)
    ]


def sample_fastqs(wildcards):
    return [f for _, r1, r2 in sample_lanes(wildcards) for f in (r1, r2)]


def reads_mb(sample):
    """The sample's reads as the sheet gives them (FASTQ, BAM or CRAM), in MB: they exist when
    the run is planned, unlike the files made from them (job sizes: tumorboard.costs).
    """
    return tb_costs.files_mb(
        u[k] for u in SHEET.units(sample) for k in ("fq1", "fq2", "bam") if u.get(k)
    )


def sample_reads_mb(wildcards):
    return reads_mb(wildcards.sample)


def patient_reads_mb(wildcards):
    return sum(reads_mb(s.sample) for s in SHEET.patients[wildcards.patient].samples)


def patient_copy_number(wildcards):
    """Gene copy number: from the matched normal or pooled normals (reads), or from the
    segments given with a VCF; nothing when neither exists."""
    p = SHEET.patients[wildcards.patient]
    ok = (
        bool(p.tumour.cna)
        if p.tumour.from_vcf
        else (p.normal is not None or bool(NORMALS))
    )
    return f"results/cnv/{wildcards.patient}.genes.tsv" if ok else []


def copy_number_inputs(wildcards):
    """Named inputs of the patient's copy-number job (for ``unpack``), which decide the method.

    From reads: the tumour's coverage table and the matched normal's, or, for a tumour-only
    patient, those of every normal in the sheet (pooled reference), with their antitarget
    (off-target) depths and duplicate-marking statistics; the somatic VCF too when
    the sheet gives no purity (it is then estimated from the SNVs).  From a VCF: the copy-number
    segments given with it."""
    p = SHEET.patients[wildcards.patient]
    t = p.tumour
    if t.from_vcf:
        return {"segments": t.cna} if t.cna else {}
    normals = [p.normal.sample] if p.normal else NORMALS
    out = {
        "tumour": f"results/coverage/{t.sample}.targets.tsv",
        "normals": [f"results/coverage/{s}.targets.tsv" for s in normals],
        "tumour_antitargets": f"results/coverage/{t.sample}.antitargets.tsv",
        "normals_antitargets": [
            f"results/coverage/{s}.antitargets.tsv" for s in normals
        ],
        "tumour_markdup": f"results/align/{t.sample}.markdup.txt",
        "normals_markdup": [f"results/align/{s}.markdup.txt" for s in normals],
    }
    if t.purity is None:
        out["vcf"] = f"results/somatic/{p.id}.vcf.gz"
    return out


def patient_copy_number_background(wildcards):
    """What the copy-number centre of a patient with reads rested on (methods text)."""
    p = SHEET.patients[wildcards.patient]
    genes = patient_copy_number(wildcards)
    if not genes or p.tumour.from_vcf:
        return []
    return genes.replace(".genes.tsv", ".background.json")


def panel_of_normals_file(wildcards):
    """somatic.panel_of_normals: "cohort" builds one from the sheet's normals, "none" uses none,
    anything else is the path of a PON VCF (e.g. results/pon/panel_of_normals.vcf.gz of a run).
    """
    pon = config["somatic"]["panel_of_normals"]
    if pon == "none" or (pon == "cohort" and not NORMALS):
        return []
    if pon == "cohort":
        return "results/pon/panel_of_normals.vcf.gz"
    return pon


def findings_inputs(wildcards):
    """The patient's own inputs of the findings job, for ``unpack`` (one input function instead
    of one per file keeps a large cohort quick to plan): BAM, coverage and samtools outputs of
    its samples, tumour/normal identity, copy number, pharmacogenomics, or for a patient that
    starts from a VCF the calls outside the reference; absent ones are empty."""
    p = SHEET.patients[wildcards.patient]
    reads = not p.tumour.from_vcf
    t = p.tumour.sample if reads else None
    n = p.normal.sample if reads and p.normal else None

    def f(pattern, sample):
        return pattern.format(sample) if sample else []

    genes = patient_copy_number(wildcards)
    return {
        "tumour_bam": f("results/align/{}.bam", t),
        "tumour_bai": f("results/align/{}.bam.bai", t),
        "tumour_cov": f("results/coverage/{}.targets.tsv", t),
        "tumour_flagstat": f("results/align/{}.flagstat.json", t),
        "normal_cov": f("results/coverage/{}.targets.tsv", n),
        "normal_flagstat": f("results/align/{}.flagstat.json", n),
        "tumour_stats": f("results/align/{}.stats.txt", t),
        "normal_stats": f("results/align/{}.stats.txt", n),
        # tumour/normal identity (rule somatic_call), with a matched normal
        "identity": f("results/qc/identity/{}.json", n and p.id),
        "cnv": genes,
        "cnv_targets": genes.replace(".genes.tsv", ".targets.tsv") if genes else [],
        "outside": [] if reads else f"results/import/{p.id}.outside_reference.tsv",
        # germline pharmacogenomics (rule somatic_call), patients with reads
        "pgx": f("results/pgx/{}.json", reads and p.id),
    }


def somatic_inputs(wildcards):
    """The patient's BAMs (tumour, matched normal) and panel of normals, for rule somatic_call
    (``unpack``)."""
    p = SHEET.patients[wildcards.patient]
    out = {
        "tumour_bam": f"results/align/{p.tumour.sample}.bam",
        "tumour_bai": f"results/align/{p.tumour.sample}.bam.bai",
        "normal_bam": [],
        "normal_bai": [],
        "pon": panel_of_normals_file(wildcards),
    }
    if p.normal:
        out["normal_bam"] = f"results/align/{p.normal.sample}.bam"
        out["normal_bai"] = f"results/align/{p.normal.sample}.bam.bai"
    return out


def final_outputs():
    out = []
    for pid in SHEET.patients:
        out += [
            f"results/report/{pid}.html",
            f"results/findings/{pid}.json",
            f"results/somatic/{pid}.vcf.gz",
            f"results/annotate/{pid}.vcf.gz",
        ]
        out += expand(REPORT_OUTPUTS, patient=pid)
    for s in SHEET.samples.values():
        if not s.from_vcf:
            out.append(f"results/align/{s.sample}.stats.txt")
    # the run's provenance as a Workflow Run RO-Crate (pdf.smk)
    return out + COHORT_OUTPUTS + ["results/ro-crate-metadata.json"]
