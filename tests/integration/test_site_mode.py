"""Site mode: the workflow on a whole-chromosome GRCh38 reference with a user's capture BED, run on
a real-coordinate test genome (real_genome.py; real sequence where the mirror has it, N
elsewhere).  The demo patient's reads aligned to it must give the same GRCh38 findings as on the
demo's loci reference; a user BED drives coverage, calling and copy number; bad site inputs stop
the run with one line before any job."""

import csv
import json

import pytest
from real_genome import site_genome
from workflow_run import SMALL_DEMO, run_workflow, write_colo829_sheets, write_overlay

pytestmark = pytest.mark.integration

GENES = ["BRAF", "CDKN2A", "EGFR", "ERBB2", "KRAS", "NRAS", "PIK3CA", "TP53"]


@pytest.fixture(scope="module")
def genome(mirror):
    return site_genome(mirror)


@pytest.fixture(scope="module")
def loci_run(small_demo):
    """The demo patient on the demo (loci) reference (the shared small demo run)."""
    return small_demo[0]


def user_bed(loci_work, path):
    """The demo targets as a user would give them (GRCh38 BED, names dropped), plus intronic
    tiles 150-250 bp beyond some KRAS, EGFR and BRAF exons (inside the simulated reads)."""
    rows = list(
        csv.reader(open(loci_work / "resources/cache/panel/targets.grch38.bed"), delimiter="\t")
    )
    extra = []
    for gene in ("KRAS", "EGFR", "BRAF"):
        exons = [r for r in rows if r[3] == gene][1:4]
        extra += [[r[0], str(int(r[2]) + 150), str(int(r[2]) + 250)] for r in exons]
    with open(path, "w") as fh:
        fh.write("track name=capture description='demo targets plus intronic tiles'\n")
        for r in rows:
            fh.write("\t".join(r[:3]) + "\n")
        for r in extra:
            fh.write("\t".join(r) + "\n")
    return extra


@pytest.fixture(scope="module")
def site_run(project, mirror, genome, loci_run, tmp_path_factory):
    """The same reads (the loci run's FASTQ files) on the real-coordinate genome, with a BED."""
    work = tmp_path_factory.mktemp("site")
    reads = loci_run / "results" / "demo" / "reads"
    (work / "samples.tsv").write_text((project / "config/demo/samples.tsv").read_text())
    rows = ["sample\tunit\tfq1\tfq2"]
    for sample in ("DEMO01-T", "DEMO01-N"):
        for unit in SMALL_DEMO["units"]:
            rows.append(
                f"{sample}\t{unit}\t{reads / sample / f'{unit}_R1.fastq.gz'}"
                f"\t{reads / sample / f'{unit}_R2.fastq.gz'}"
            )
    (work / "units.tsv").write_text("\n".join(rows) + "\n")
    extra = user_bed(loci_run, work / "capture.bed")
    overlay = write_overlay(
        work,
        work / "samples.tsv",
        work / "units.tsv",
        mirror,
        reference={"fasta": str(genome["fasta"]), "bwa_index": str(genome["bwa_index"])},
        panel={"bed": str(work / "capture.bed"), "genes": GENES},
    )
    res = run_workflow(work, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    return work, extra


def findings(work, patient="DEMO01"):
    return json.loads((work / "results" / "findings" / f"{patient}.json").read_text())


def comparison(loci, site):
    """One row per finding (variant, hotspot, gene copy number), both modes side by side."""
    rows = []
    key = ("gene", "chrom", "pos", "ref", "alt")
    lv = {tuple(v[k] for k in key): v for v in loci["variants"]}
    sv = {tuple(v[k] for k in key): v for v in site["variants"]}
    for k in sorted(set(lv) | set(sv), key=str):
        a, b = lv.get(k, {}), sv.get(k, {})
        rows.append(
            [
                "variant",
                f"{k[0]} {k[1]}:{k[2]} {k[3]}>{k[4]}",
                f"{a.get('hgvs_p')} {a.get('hgvs_c')} VAF {a.get('vaf')} ({a.get('alt_reads')}/"
                f"{a.get('depth')})"
                if a
                else "absent",
                f"{b.get('hgvs_p')} {b.get('hgvs_c')} VAF {b.get('vaf')} ({b.get('alt_reads')}/"
                f"{b.get('depth')})"
                if b
                else "absent",
            ]
        )
    lh = {(h["gene"], h["label"]): h for h in loci["hotspots"]}
    sh = {(h["gene"], h["label"]): h for h in site["hotspots"]}
    for k in sorted(lh):
        a, b = lh[k], sh.get(k, {})
        rows.append(
            [
                "hotspot",
                f"{k[0]} {k[1]}",
                f"{a['status']} {a['depth']}x",
                f"{b.get('status')} {b.get('depth')}x",
            ]
        )
    lc = {c["gene"]: c for c in loci["copy_number"]}
    sc = {c["gene"]: c for c in site["copy_number"]}
    for g in sorted(lc):
        a, b = lc[g], sc.get(g, {})
        rows.append(
            [
                "copy number",
                g,
                f"{a.get('call')} {a.get('copy_number')}",
                f"{b.get('call')} {b.get('copy_number')}",
            ]
        )
    return rows


def test_site_findings_equal_loci_findings(loci_run, site_run):
    loci, site = findings(loci_run), findings(site_run[0])
    table = comparison(loci, site)
    (site_run[0] / "loci_vs_site.tsv").write_text(
        "kind\tfinding\tloci reference\tsite genome\n"
        + "\n".join("\t".join(map(str, r)) for r in table)
        + "\n"
    )
    assert loci["reference"]["mode"] == "demo" and site["reference"]["mode"] == "site"
    key = ("gene", "chrom", "pos", "ref", "alt", "hgvs_c", "hgvs_p", "consequence")
    assert sorted(tuple(v[k] for k in key) for v in site["variants"]) == sorted(
        tuple(v[k] for k in key) for v in loci["variants"]
    ), table
    assert len(loci["variants"]) >= 6
    lv = {(v["gene"], v["pos"]): v for v in loci["variants"]}
    for v in site["variants"]:
        assert abs(v["vaf"] - lv[(v["gene"], v["pos"])]["vaf"]) <= 0.02, v
    lh = {(h["gene"], h["label"]): h for h in loci["hotspots"]}
    for h in site["hotspots"]:
        other = lh[(h["gene"], h["label"])]
        assert (h["status"], h["variant"], h["start"]) == (
            other["status"],
            other["variant"],
            other["start"],
        ), h
        assert abs(h["depth"] - other["depth"]) <= max(3, 0.05 * other["depth"]), h
    lc = {c["gene"]: c for c in loci["copy_number"]}
    assert {c["gene"] for c in site["copy_number"]} == set(lc)
    for c in site["copy_number"]:
        other = lc[c["gene"]]
        assert c["call"] == other["call"], (c, other)
        assert abs(c["copy_number"] - other["copy_number"]) <= 0.1 * other["copy_number"], c
    assert {c["gene"]: c["call"] for c in site["copy_number"]}["ERBB2"] == "amplified"


def test_site_pharmacogenomics_equal_loci_pharmacogenomics(loci_run, site_run):
    """The germline PGx sites are GRCh38 positions: genotyped on the loci reference through the
    contig map and on the whole-chromosome genome as they are, with the same calls (the user's
    BED does not cover them: genotyping reads the BAM, not the capture)."""
    loci = findings(loci_run)["pharmacogenomics"]
    site = findings(site_run[0])["pharmacogenomics"]
    lg = {g["gene"]: g for g in loci["genes"]}
    assert [g["gene"] for g in site["genes"]] == list(lg)
    for g in site["genes"]:
        other = lg[g["gene"]]
        assert (g["diplotype"], g["phenotype"]) == (other["diplotype"], other["phenotype"]), g
        for a, b in zip(g["sites"], other["sites"], strict=True):
            assert (a["site"], a["status"], a.get("genotype")) == (
                b["site"], b["status"], b.get("genotype")), a  # fmt: skip
            assert abs(a["depth"] - b["depth"]) <= max(3, 0.05 * b["depth"]), (a, b)
    assert {g["gene"]: g["phenotype"] for g in site["genes"]}["DPYD"] == "intermediate metaboliser"


def test_user_bed_drives_coverage_calling_and_copy_number(site_run):
    work, extra = site_run
    labelled = list(
        csv.reader(open(work / "resources/cache/site/panel/targets.bed"), delimiter="\t")
    )
    named = {(r[0], r[1], r[2]): r[3] for r in labelled}
    # targets are labelled from the gene models, not from the BED's name column
    assert {named[tuple(t)] for t in extra} == {"backbone"}
    assert {r[3] for r in labelled} == set(GENES) | {"backbone"}
    cov = list(csv.DictReader(open(work / "results/coverage/DEMO01-T.targets.tsv"), delimiter="\t"))
    tiles = {(r["contig"], r["start"]) for r in cov if r["target"] == "backbone"}
    assert {(t[0], t[1]) for t in extra} <= tiles
    depth = {(r["contig"], r["start"]): float(r["mean_depth"]) for r in cov}
    assert all(depth[(t[0], t[1])] > 20 for t in extra)
    cn = list(csv.DictReader(open(work / "results/cnv/DEMO01.targets.tsv"), delimiter="\t"))
    assert sum(r["target"].startswith("backbone") for r in cn) >= len(extra)


def test_bed_with_other_contig_names_stops_before_any_job(project, mirror, genome, tmp_path):
    bed = tmp_path / "ensembl_names.bed"
    bed.write_text("7\t140753300\t140753400\n")
    overlay = write_overlay(
        tmp_path,
        project / "config/demo/samples.tsv",
        project / "config/demo/units.tsv",
        mirror,
        reference={"fasta": str(genome["fasta"])},
        panel={"bed": str(bed)},
    )
    res = run_workflow(tmp_path, overlay, "-n")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    line = [ln for ln in out.splitlines() if "tumorboard:" in ln]
    assert len(line) == 1 and str(bed) in line[0] and "'chr7'" in line[0], out[-2000:]
    assert "sed 's/^/chr/'" in line[0]
    assert not (tmp_path / "results").exists()


def test_missing_index_file_stops_before_any_job(project, mirror, genome, tmp_path):
    overlay = write_overlay(
        tmp_path,
        project / "config/demo/samples.tsv",
        project / "config/demo/units.tsv",
        mirror,
        reference={"fasta": str(genome["fasta"]), "bwa_index": str(tmp_path / "nothing")},
    )
    res = run_workflow(tmp_path, overlay, "-n")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    line = [ln for ln in out.splitlines() if "tumorboard:" in ln]
    assert len(line) == 1 and "reference.bwa_index" in line[0] and "missing" in line[0], out


@pytest.fixture(scope="module")
def colo829_site(project, mirror, genome, tmp_path_factory):
    """Real COLO829 tumour/normal reads on the real-coordinate genome, no BED: the targets are
    the MANE coding exons of the panel genes."""
    work = tmp_path_factory.mktemp("colo829_site")
    samples, units = write_colo829_sheets(work, mirror)
    overlay = write_overlay(
        work,
        samples,
        units,
        mirror,
        reference={"fasta": str(genome["fasta"]), "bwa_index": str(genome["bwa_index"])},
        panel={"bed": "", "genes": GENES},
    )
    res = run_workflow(work, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    return findings(work, "COLO829")


def test_colo829_in_site_mode_finds_braf_v600e_and_the_cdkn2a_frameshift(colo829_site):
    passing = {(v["gene"], v["protein_short"]): v for v in colo829_site["variants"]}
    braf = passing[("BRAF", "V600E")]
    assert (braf["chrom"], braf["pos"], braf["ref"], braf["alt"]) == ("chr7", 140753336, "A", "T")
    cdkn2a = [v for (g, _), v in passing.items() if g == "CDKN2A"]
    assert any(v["consequence"].startswith("frameshift") for v in cdkn2a), cdkn2a
    assert colo829_site["reference"]["mode"] == "site"


BRCA_CHR17_IN_GENES = {  # calls of the TCGA BRCA VCF on real chr17 sequence outside the demo loci
    2680223: "PAFAH1B1",
    3729495: "ITGAE",
    5002791: "KIF1C",
    5181286: "ZNF594",
    7426506: "SPEM2",
}


@pytest.fixture(scope="module")
def brca_site(project, mirror, genome, tmp_path_factory):
    """The TCGA breast VCF (+ PCGR segments) in site mode with GENCODE's complete chr17 gene set:
    every call on the genome's sequence is annotated, not only those in the demo loci."""
    work = tmp_path_factory.mktemp("brca_site")
    v = mirror / "variants"
    (work / "samples.tsv").write_text(
        "patient\tsample\ttype\ttumour_type\tpurity\tvcf\tcna\n"
        f"T001-BRCA\tT001-BRCA-T\ttumour\tbreast invasive ductal carcinoma\t\t"
        f"{v / 'pcgr_T001-BRCA.grch38.vcf.gz'}\t{v / 'pcgr_T001.grch38.cna.tsv'}\n"
    )
    (work / "units.tsv").write_text("sample\tunit\tfq1\tfq2\n")
    # a capture BED: 500-bp tiles over the TP53 and ERBB2 gene spans (tiles on coding exons
    # count for the gene, the rest are background)
    tiles = [
        f"chr17\t{s}\t{s + 500}\n"
        for lo, hi in ((7668400, 7687500), (39687900, 39730430))
        for s in range(lo, hi, 500)
    ]
    (work / "capture.bed").write_text("".join(tiles))
    overlay = write_overlay(
        work,
        work / "samples.tsv",
        work / "units.tsv",
        mirror,
        reference={"fasta": str(genome["fasta"])},  # no reads: no index needed
        annotation={"gene_models": str(mirror / "annotation/gencode.v45.chr17.annotation.gtf.gz")},
        panel={"bed": str(work / "capture.bed"), "genes": []},
    )
    res = run_workflow(work, overlay)
    assert res.returncode == 0, res.stderr[-3000:]
    return work, findings(work, "T001-BRCA")


def test_brca_vcf_in_site_mode_annotates_chr17_calls_outside_the_loci(brca_site):
    work, doc = brca_site
    by_pos = {(v["chrom"], v["pos"]): v for v in doc["variants"]}
    for pos, gene in BRCA_CHR17_IN_GENES.items():
        v = by_pos[("chr17", pos)]
        assert v["gene"] == gene and v["hgvs_c"].startswith("c."), v
        assert v["transcript_ensembl"].startswith("ENST") or v["transcript"], v
    tp53 = by_pos[("chr17", 7673806)]
    assert tp53["protein_short"] == "V272M"
    # calls where the test genome has no sequence (N) or no chromosome are listed, not dropped
    outside = (work / "results/import/T001-BRCA.outside_reference.tsv").read_text()
    assert "chr17\t29267531" in outside and "chr1\t1968826" in outside
    cn = {c["gene"]: c for c in doc["copy_number"]}
    assert cn["ERBB2"]["call"] == "amplified"
