"""Methods text and run provenance for one patient's report.

The methods paragraphs are generated from the run's configuration and the tool versions captured
at run time (``results/provenance/tool_versions.json``), never written by hand: a threshold or a
version in the report is the one the run used.  A tool whose version was not captured is named
with "version not captured" rather than a guessed number.

Provenance: workflow version and git commit, tool versions, sha256 of the patient's input files
(FASTQ or VCF), of the reference and the other resources, of the knowledge base when one is used,
and of the configuration (canonical JSON).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

from tumorboard import __version__
from tumorboard.knowledge.therapies import SEPARATORS_TEXT
from tumorboard.knowledge.tiers import LEVEL_MAPPING_TEXT
from tumorboard.reference.resources import sha256_file
from tumorboard.report.provenance import tool_version

NOT_CAPTURED = "version not captured"

# Versions this module captures itself when tool_versions.json lacks them (report-stage tools).
RUNTIME_PACKAGES = ["weasyprint", "multiqc"]
RUNTIME_TOOLS = {"chromium": ["chromium", "--version"]}

# Display names of captured tool keys (keys as in tumorboard.report.provenance and RUNTIME_*).
DISPLAY = {
    "python:snakemake": "Snakemake",
    "python:pysam": "pysam",
    "python:jinja2": "Jinja2",
    "python:matplotlib": "Matplotlib",
    "python:scipy": "SciPy",
    "python:pandas": "pandas",
    "python:tumorboard": "tumorboard",
    "python:weasyprint": "WeasyPrint",
    "python:multiqc": "MultiQC",
    "chromium": "Chromium",
}


# --------------------------------------------------------------------------- checksums


def canonical_json(obj) -> str:
    """Key-sorted, whitespace-free JSON: equal configs give equal text (and hash)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def recorded_config(config: Mapping) -> dict:
    """The configuration that decides results, as provenance records it (and ``tumorboard
    compare`` reads it).  The mirror's location is left out: it says where verified resources
    were copied from (their checksums are in the provenance), so two sites with the same
    settings record the same configuration."""
    cfg = json.loads(canonical_json(dict(config)))
    if isinstance(cfg.get("resources"), dict):
        cfg["resources"].pop("mirror", None)
    return cfg


def flatten_config(obj, prefix: str = "") -> dict[str, object]:
    """{"somatic.min_vaf": 0.01, ...}: nested settings as dotted keys (lists kept whole)."""
    if not isinstance(obj, Mapping):
        return {prefix: obj}
    out: dict[str, object] = {}
    for k, v in obj.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        out.update(flatten_config(v, key) if isinstance(v, Mapping) else {key: v})
    return out


def config_sha256(config: Mapping) -> str:
    """sha256 of :func:`recorded_config` as canonical JSON: equal settings, equal hash."""
    return hashlib.sha256(canonical_json(recorded_config(config)).encode("utf-8")).hexdigest()


def workflow_commit(project_dir: str | Path) -> str:
    """``git rev-parse HEAD`` of the project, "-dirty" appended when tracked files differ from
    it; "unknown" outside a git checkout or without git."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # read-only: never take the index lock

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", str(project_dir), *args],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        )

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return "unknown"
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return head.stdout.strip() + ("-dirty" if dirty else "")


# --------------------------------------------------------------------------- versions


def runtime_versions(captured: Mapping[str, str]) -> dict[str, str]:
    """``captured`` plus the report-stage tools it lacks (tumorboard, WeasyPrint, MultiQC,
    Chromium), each asked at run time."""
    out = dict(captured)
    out.setdefault("python:tumorboard", __version__)
    for pkg in RUNTIME_PACKAGES:
        key = f"python:{pkg}"
        if key not in out:
            try:
                out[key] = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                out[key] = "unavailable (not installed)"
    for name, cmd in RUNTIME_TOOLS.items():
        out.setdefault(name, tool_version(cmd))
    return out


def tool(versions: Mapping[str, str], key: str) -> str:
    """E.g. "fastp 0.23.2": the tool's name and its captured version (or that none was captured)."""
    name = DISPLAY.get(key, key.removeprefix("python:"))
    version = versions.get(key)
    if not version or version.startswith(("unavailable", "unknown")):
        return f"{name} ({NOT_CAPTURED})"
    return f"{name} {version}"


# --------------------------------------------------------------------------- methods text


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def _genes(genes: Iterable[str]) -> str:
    genes = list(genes)
    return ", ".join(genes[:-1]) + f" and {genes[-1]}" if len(genes) > 1 else "".join(genes)


def _panel_of_normals(som: Mapping) -> str:
    pon = som["panel_of_normals"]
    if pon == "none":
        return "No panel of normals was used."
    rule = (
        f"alleles seen with ≥ {som['pon_min_alt_reads']} reads and allele fraction "
        f"≥ {_pct(som['pon_min_vaf'])} in ≥ {som['pon_min_samples']} normal sample(s)"
    )
    if pon == "cohort":
        return f"A panel of normals built from the run's normal samples ({rule}) was applied."
    return f"The panel of normals {Path(pon).name} was applied."


def _background_text(bg: Mapping | None, cn: Mapping) -> str:
    """What the copy-number centre rested on in this run (``results/cnv/<patient>.background
    .json``, ``depth.target_ratios``), or, without it, what the method does."""
    window = cn.get("antitarget_gene_window", 50000)
    if not bg:
        return (
            "centred on the background: antitarget bins (off-target reads between the targets, "
            "tiled as CNVkit does) away from the reported genes, normalised and GC-corrected on "
            "their own, with the on-target scale tied to them by the capture offset of each "
            "gene's targets against its own intronic and flanking bins; backbone tiles where "
            "there are no antitargets"
        )
    excluded = bg.get("excluded") or []
    contigs = [x for x in excluded if not x.startswith("gene ")]
    changed = [x.removeprefix("gene ") for x in excluded if x.startswith("gene ")]
    left_out = (
        f"; left out of the centre as not copy-neutral: {', '.join(contigs)}" if contigs else ""
    )
    if bg.get("mode") == "antitargets":
        neutral = bg.get("genes_in_background") or []
        tiles = bg.get("backbone_tiles_used", 0)
        parts = ([f"the targets of {', '.join(neutral)}"] if neutral else []) + (
            [f"{tiles} backbone tiles"] if tiles else []
        )
        refined = (
            f"; the final on-target centre: {' and '.join(parts)} (copy-neutral on that scale"
            + (f"; left out as changed: {', '.join(changed)})" if changed else ")")
            if parts
            else ""
        )
        return (
            f"centred on {bg['antitarget_bins_used']} of {bg['antitarget_bins']} antitarget "
            f"bins (off-target reads between the targets, tiled as CNVkit does: about "
            f"{cn.get('antitarget_size', 150000):,} bp, not within "
            f"{cn.get('antitarget_margin', 500)} bp of a target or on N runs), those more than "
            f"{window:,} bp from every reported gene, normalised and GC/size-corrected on their "
            f"own{left_out}; the on-target scale was tied to them by the capture offset, the "
            f"weighted median over {bg['offset_pairs']} genes and backbone contigs of their "
            f"on-target level minus that of their own intronic and flanking bins (both carry the "
            f"gene's copy number, so no amplified or deleted gene sets the baseline){refined}"
        )
    if bg.get("mode") == "backbone":
        joined = bg.get("genes_in_background") or []
        genes = f" and the targets of {', '.join(joined)}" if joined else ""
        return (
            f"centred on {bg['backbone_tiles_used']} backbone tiles{genes} (no usable "
            f"antitarget background: {bg.get('antitarget_bins_used', 0)} of "
            f"{bg.get('antitarget_bins', 0)} antitarget bins{left_out})"
        )
    return (
        f"not centred: too little background ({bg.get('antitarget_bins_used', 0)} antitarget "
        f"bins and {bg.get('backbone_tiles_used', 0)} backbone tiles usable, at least "
        f"{cn.get('min_background_bins', 10)} needed), so every gene is not evaluable"
    )


def _copy_number_paragraph(
    cn: Mapping, tumour_only: bool, pooled_normals: int, background: Mapping | None = None
) -> str:
    if tumour_only and not pooled_normals:
        return (
            "Gene copy number was not evaluated (no matched normal, and no normal samples in the "
            "run to pool)."
        )
    reference = (
        f"a pooled reference of the run's {pooled_normals} normal sample(s) (per-target median "
        "of their library-scaled depths)"
        if tumour_only
        else "the matched normal"
    )
    bias = "corrected for target GC content and size, " if cn.get("bias_correction", True) else ""
    if bias and background and background.get("bias"):
        # what the F tests decided in this run (targets; antitargets)
        bias = f"tested for GC-content and size bias ({background['bias']}), "
    sd = cn.get("sheet_purity_sd", 0.05)
    return (
        f"Gene copy number: per-target mean depth of the tumour (duplicates removed) against "
        f"{reference}, each scaled to its library size; log2 ratios {bias}"
        f"{_background_text(background, cn)}; summarised per gene as a weighted median over "
        f"its targets "
        f"(targets with reference depth ≥ {cn['min_normal_depth']}x; at least "
        f"{cn['min_targets']} per gene; fewer than {cn.get('min_background_bins', 10)} "
        f"background bins make every gene not evaluable). Copies per tumour cell follow from "
        f"the ratio and the tumour purity (the sample sheet's, taken as uncertain by "
        f"{sd:.0%} (SD), or estimated from somatic SNV allele fractions in copy-neutral genes, "
        f"with its bootstrap interval, when blank), with a {_pct(cn['confidence'])} interval "
        f"from the gene's ratio noise, the error of the centre, the tumour's excess of "
        f"duplicate-marked reads (chance fragment collisions grow with depth) and the purity "
        f"interval. Calls: amplified at ≥ {cn['amplification_copies']:g} copies, "
        f"equivocal from {cn['equivocal_copies']:g}, loss at ≤ {cn['loss_copies']:g}, homozygous "
        f"deletion at ≤ {cn['homozygous_deletion_copies']:g}; a call is made only when its "
        f"interval supports it and purity is ≥ {_pct(cn['min_purity'])}, otherwise the gene is "
        f"not evaluable, with the reason."
    )


def _reads_paragraphs(
    config: Mapping,
    v: Mapping[str, str],
    tumour_only: bool,
    pooled_normals: int = 0,
    background: Mapping | None = None,
) -> list[str]:
    par, som = config["params"], config["somatic"]
    mp = par["mpileup"]
    extra = par["fastp"]["extra"].strip()
    fastp_opts = f" (extra options: {extra})" if extra else " (default options)"
    qc = (
        f"Reads were quality- and adapter-trimmed with {tool(v, 'fastp')}{fastp_opts} and aligned "
        f"to the reference with {tool(v, 'bwa')} (bwa mem, one read group per sequencing unit). "
        f"Alignments were mate-fixed, sorted, merged per sample and duplicate-marked with "
        f"{tool(v, 'samtools')} (fixmate, sort, merge, markdup); alignment statistics are from "
        f"samtools stats over the panel targets. Per-target depth was computed with "
        f"{tool(v, 'mosdepth')} (mapping quality ≥ {mp['min_mapq']}; fractions of bases at "
        f"≥ {', '.join(str(t) for t in config['coverage']['thresholds'])}x)."
    )
    normal_rule = (
        "Without a matched normal the normal log-odds and normal-evidence filters do not apply, "
        "so germline variants cannot be excluded."
        if tumour_only
        else (
            f"The matched normal had to support the reference (NLOD ≥ {som['min_nlod']}) and "
            f"carry at most {som['max_normal_alt_reads']} alt reads and an allele fraction "
            f"≤ {_pct(som['max_normal_vaf'])}."
        )
    )
    calling = (
        f"Candidate SNVs, MNVs and indels were piled up with {tool(v, 'bcftools')} mpileup "
        f"(mapping quality ≥ {mp['min_mapq']}, base quality ≥ {mp['min_baseq']}, maximum depth "
        f"{mp['max_depth']}) and called by the somatic caller of {tool(v, 'python:tumorboard')}: "
        f"per-read likelihoods with MuTect's tumour log-odds (TLOD ≥ {som['min_tlod']}), "
        f"≥ {som['min_alt_reads']} alt reads and allele fraction ≥ {_pct(som['min_vaf'])} "
        f"(inside hotspots: ≥ {som['hotspot_min_alt_reads']} reads, ≥ "
        f"{_pct(som['hotspot_min_vaf'])}, TLOD ≥ {som['hotspot_min_tlod']}). {normal_rule} "
        f"Artefact filters: strand bias (Fisher p < {som['strand_p']}), median alt position "
        f"≥ {som['min_read_position']} bases from the read end, median alt mapping quality "
        f"≥ {som['min_median_mapq']} and base quality ≥ {som['min_median_baseq']}, and no more "
        f"than {som['cluster_max_events']} passing events within {som['cluster_window']} bp. "
        f"{_panel_of_normals(som)}"
    )
    hotspots = (
        f"Hotspot codons are evaluable at a tumour depth ≥ {som['min_depth']}x; a negative "
        f"hotspot states its limit of detection, the smallest allele fraction the caller would "
        f"call with {_pct(som['lod_probability'])} probability (binomial) at its depth: enough "
        f"alt reads to pass the caller's hotspot rule (≥ {som['hotspot_min_alt_reads']} reads, "
        f"≥ {_pct(som['hotspot_min_vaf'])}, TLOD ≥ {som['hotspot_min_tlod']} on bases of Q30)."
    )
    copy_number = _copy_number_paragraph(
        config["copy_number"], tumour_only, pooled_normals, background
    )
    return [qc, calling + " " + hotspots, _paralogue_paragraph(config), copy_number]


def _paralogue_paragraph(config: Mapping) -> str:
    """Reads of paralogues and pseudogenes: the mismatch_burden filter and its limits."""
    excess = config["somatic"]["max_mismatch_excess"]
    reference = (
        "The demo reference holds only the panel loci, so reads of paralogues and pseudogenes "
        "elsewhere in the genome map to the panel genes"
        if not config.get("reference", {}).get("fasta")
        else "Reads of paralogues are placed by the aligner's mapping quality on the full "
        "reference; those that still map to a panel gene are handled as follows"
    )
    return (
        f"Paralogous sequence. {reference}: the chr22 PIK3CA pseudogene, for example, matches "
        f"PIK3CA exons 9 to 13 (E542 and E545) with more than 95% identity (Baker et al., J Mol "
        f"Diagn 2012;14:56). A call is filtered (mismatch_burden) when the median number of "
        f"other mismatches (base quality ≥ {config['params']['mpileup']['min_baseq']}, read and "
        f"mate) of the fragments carrying the allele exceeds that of the reference fragments by "
        f"more than {excess}; fragments with more than {excess} such mismatches are left out of "
        f"hotspot depths and limits of detection. Limitation: a paralogue's fragment that "
        f"differs from the gene only at the variant site cannot be told apart, so at identity "
        f"near 100% a paralogue can still produce or hide a call; hotspots inside known "
        f"paralogous regions should be confirmed by an orthogonal method."
    )


def _pharmacogenomics_paragraph(config: Mapping, tumour_only: bool) -> str:
    """Germline pharmacogenomics: sample, counting, thresholds, phenotype rules and, on the demo
    reference, the mapping risk of its short pharmacogene windows."""
    pgx = config["pharmacogenomics"]
    mp = config["params"]["mpileup"]
    sample = (
        "the tumour (no matched normal: tumour allele fractions can mislead)"
        if tumour_only
        else "the matched normal"
    )
    loci = (
        "Reads were aligned to the whole genome given (site mode), so reads of the Alu repeats "
        "inside these windows map to their own copies."
        if config.get("reference", {}).get("fasta", "")
        else "On the demo reference the pharmacogenes are short GRCh38 windows (variant ± 1 kb; "
        "UGT1A1 3.2 kb) holding Alu repeats: real reads from the rest of the genome, Alu copies "
        "above all, would be forced onto them and could create or hide a genotype; it holds "
        "simulated reads only. Real samples need site mode (a whole GRCh38 genome)."
    )
    return (
        f"Germline pharmacogenomics (DPYD, UGT1A1, TPMT, NUDT15) was genotyped in {sample} at "
        f"the listed sites only (no full star-allele call), counting each fragment once (MAPQ ≥ "
        f"{mp['min_mapq']}, base quality ≥ {mp['min_baseq']}): heterozygous at an allele fraction "
        f"of {_pct(pgx['het_min_fraction'])}–{_pct(1 - pgx['het_min_fraction'])}, homozygous "
        f"within {_pct(pgx['hom_max_other_fraction'])} of 0 or 1, not evaluable between these "
        f"bands or below {pgx['min_depth']} fragments. The UGT1A1 TATA-box (TA)n repeat was "
        f"counted in each read's own sequence between its flanks ({pgx['repeat_flank']} aligned "
        f"bases each side, at most one mismatch), so that an insertion placed anywhere in the "
        f"repeat counts and reads that do not span it are excluded. Phenotypes follow CPIC: the "
        f"DPYD activity score sums the two lowest-activity alleles (2017 update; HapB3 from "
        f"c.1129-5923C>G, January 2024 update), UGT1A1 *28/*37/*6 decreased and *80 alone of "
        f"unknown function, TPMT and NUDT15 no-function alleles (2018 update); without phasing "
        f"a call that depends on phase is reported as ambiguous. Recommendations: CPIC for "
        f"fluoropyrimidines and thiopurines, DPWG 2022 for irinotecan (CPIC has none). {loci}"
    )


def _vcf_paragraphs() -> list[str]:
    return [
        "Somatic calls were imported from the patient's VCF with the original caller's filters, "
        "depths and allele fractions; no reads were analysed, so hotspots without a call are "
        "not evaluable and copy number comes only from the supplied segments, if any."
    ]


def _reference_text(config: Mapping) -> str:
    """Reference and panel as configured: the demo's loci and built panel, or a site's genome,
    capture BED and gene models (file names only: paths differ between sites)."""
    panel = config["panel"]
    fasta = config.get("reference", {}).get("fasta", "")
    genes = panel["genes"]
    if not fasta:
        backbone = (
            f", plus {panel['backbone_tiles']} copy-number backbone tiles of "
            f"{panel['backbone_tile_size']} bp per control region"
            if panel.get("backbone_tiles")
            else ""
        )
        return (
            f"on GRCh38 sequence of the panel loci. Panel: coding exons of {_genes(genes)} on "
            f"their MANE Select transcripts, ± {panel['padding']} bp{backbone}."
        )
    models = config.get("annotation", {}).get("gene_models", "") or "the manifest's gene models"
    reported = f"; genes reported: {_genes(genes)}" if genes else ""
    if panel.get("bed"):
        targets = (
            f"Targets: the capture BED {Path(panel['bed']).name}; a target overlapping the "
            f"MANE Select coding exons of a gene counts for that gene, the others are "
            f"copy-number background{reported}."
        )
    else:
        targets = (
            f"Targets: coding exons of {_genes(genes)} on their MANE Select transcripts, "
            f"± {panel['padding']} bp."
        )
    return (
        f"on the GRCh38 reference {Path(fasta).name}, with MANE Select transcripts taken from "
        f"{Path(models).name}. {targets}"
    )


def methods_paragraphs(
    config: Mapping,
    versions: Mapping[str, str],
    *,
    from_vcf: bool = False,
    tumour_only: bool = False,
    pooled_normals: int = 0,
    knowledge_base: Sequence[Mapping] = (),
    copy_number_background: Mapping | None = None,
) -> list[str]:
    """The methods section, one string per paragraph, from the configuration, the captured tool
    versions, the knowledge base's sources (name, release_date, as in its JSON) and what the
    copy-number centre rested on (``results/cnv/<patient>.background.json``)."""
    intro = (
        f"Analysis with tumorboard {__version__}, a "
        f"{tool(versions, 'python:snakemake')} workflow, {_reference_text(config)}"
    )
    body = (
        _vcf_paragraphs()
        if from_vcf
        else _reads_paragraphs(
            config, versions, tumour_only, pooled_normals, copy_number_background
        )
    )
    annotation = (
        f"Calls were normalised (left-aligned, multi-allelic records split) with "
        f"{tool(versions, 'bcftools')} norm and annotated with bcftools csq on the MANE Select "
        f"transcripts; protein changes are given in HGVS with three-letter and one-letter "
        f"amino-acid codes. Positions are GRCh38."
    )
    kb = (
        [
            "Findings were matched to the knowledge base by gene and protein change (and "
            "amplification, loss and wild-type categories), with the patient's tumour type, and "
            "tiered following AMP/ASCO/CAP 2017. Knowledge base sources: "
            + "; ".join(
                f"{src['name']} (release {src.get('release_date') or 'undated'})"
                for src in knowledge_base
            )
            + ". "
            + LEVEL_MAPPING_TEXT
            + " "
            + SEPARATORS_TEXT
        ]
        if knowledge_base
        else []
    )
    report = (
        f"The report was rendered with {tool(versions, 'python:jinja2')} and "
        f"{tool(versions, 'python:matplotlib')}, its PDF with "
        f"{tool(versions, 'python:weasyprint')}; cohort QC with {tool(versions, 'python:multiqc')}."
    )
    pgx = (
        [_pharmacogenomics_paragraph(config, tumour_only)]
        if not from_vcf and "pharmacogenomics" in config
        else []
    )
    return [intro, *body, *pgx, annotation, *kb, report]


# --------------------------------------------------------------------------- provenance


def patient_input_files(patient) -> list[str]:
    """The files a patient enters the workflow with: FASTQ pairs or BAM/CRAM of every sample
    (tumour first), or the tumour's VCF (and copy-number segments)."""
    files: list[str] = []
    for sample in patient.samples:
        if sample.from_vcf:
            files += [f for f in (sample.vcf, sample.cna) if f]
        for unit in sample.units:
            files += [unit[c] for c in ("fq1", "fq2", "bam") if unit.get(c)]
    return files


def knowledge_base_provenance(path: str | Path) -> dict:
    """sha256 of the knowledge-base file, and the release and sha256 of each of its sources
    (read from a tumorboard knowledge-base JSON; none for another kind of file)."""
    sources = []
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = {}
    for src in doc.get("sources", []) if isinstance(doc, dict) else []:
        sources.append({k: src.get(k) for k in ("name", "file", "release_date", "sha256")})
    release = "; ".join(f"{s['name']} {s['release_date'] or 'undated'}" for s in sources)
    return {
        "file": str(path),
        "sha256": sha256_file(path),
        "release": release or "not recorded",
        "sources": sources,
    }


def shown_path(path: str | Path, *roots: str | Path) -> str:
    """How provenance (and so the report) names a file: relative to the first of ``roots``
    (the project, the run directory) that holds it, the same text on every checkout; a relative
    path that stays below the run directory as given; anything else by its file name only.
    Never an absolute path: it would print a site's directory layout (user names, patient
    folders) in every report, and the sha256 beside the name identifies the file anyway."""
    p = Path(path)
    if not p.is_absolute():
        if ".." not in p.parts:
            return str(p)
        p = Path(os.path.abspath(p))
    for root in roots:
        r = Path(root).resolve()
        if p.resolve().is_relative_to(r):
            return str(p.resolve().relative_to(r))
    return p.name


def build_provenance(
    *,
    patient: str,
    config: Mapping,
    tool_versions: Mapping[str, str],
    inputs: Iterable[str | Path],
    resources: Mapping[str, str | Path],
    project_dir: str | Path,
    from_vcf: bool = False,
    tumour_only: bool = False,
    pooled_normals: int = 0,
    knowledge_base: str | Path | None = None,
    copy_number_background: str | Path | None = None,
) -> dict:
    """The provenance block of one report: what ran (workflow version and commit, tool versions,
    config hash) on what (sha256 of inputs, resources and knowledge base), and the methods text.

    ``knowledge_base``: the knowledge-base JSON findings were matched to (its ``sources`` give
    each input's release date and sha256).  Keys read by ``tumorboard.report.document``:
    workflow_version, config_sha256, tool_versions, resources (name -> "sha256:<hex>")."""
    versions = runtime_versions(tool_versions)
    kb = knowledge_base_provenance(knowledge_base) if knowledge_base else None
    roots = (project_dir, Path.cwd())
    if kb:
        kb["file"] = shown_path(kb["file"], *roots)
    background = None
    if copy_number_background:
        with open(copy_number_background) as fh:
            background = json.load(fh)
    return {
        "patient": patient,
        "workflow_version": __version__,
        "workflow_commit": workflow_commit(project_dir),
        "config_sha256": config_sha256(config),
        # the settings themselves: `tumorboard compare` names a changed threshold from them
        "config": recorded_config(config),
        "tool_versions": dict(sorted(versions.items())),
        "resources": {name: f"sha256:{sha256_file(p)}" for name, p in resources.items()}
        | ({"knowledge_base": f"sha256:{kb['sha256']}"} if kb else {}),
        "resource_files": {name: shown_path(p, *roots) for name, p in resources.items()}
        | ({"knowledge_base": kb["file"]} if kb else {}),
        "knowledge_base": kb,
        "inputs": [{"file": shown_path(p, *roots), "sha256": sha256_file(p)} for p in inputs],
        "methods": methods_paragraphs(
            config,
            versions,
            from_vcf=from_vcf,
            tumour_only=tumour_only,
            pooled_normals=pooled_normals,
            knowledge_base=kb["sources"] if kb else (),
            copy_number_background=background,
        ),
    }
