"""One patient with reads, from its BAMs to annotated calls and germline pharmacogenomics:

1. tumour/normal identity (tumorboard.qc.identity; a patient with a matched normal): a mismatch
   stops the patient here, with one line;
2. bcftools mpileup finds the candidate alleles over the targets (tumour + normal); the caller
   weighs each one read by read and decides its FILTER (tumorboard.calling);
3. normalisation, sort, index and bcftools csq (tumorboard.annotation.normalise);
4. germline pharmacogenomics from the matched normal, or the tumour (tumorboard.pharmacogenomics).
The pileup and the raw calls are the job's own intermediates, removed at the end."""

import json
import os
import sys
from pathlib import Path

from tumorboard import pharmacogenomics as pgx
from tumorboard.annotation.normalise import normalise_and_annotate
from tumorboard.calling import caller, hotspots, pileup, pon
from tumorboard.pharmacogenomics.tables import PgxTableError
from tumorboard.qc import identity
from tumorboard.reference import genemodel
from tumorboard.reference.contigs import ContigMap
from tumorboard.reference.panel import read_bed
from tumorboard.steps import StepError, Steps

inp, out, par = snakemake.input, snakemake.output, snakemake.params
patient = par.patient
tumour, normal = patient.tumour.sample, patient.normal.sample if patient.normal else None
bcf, calls_vcf = f"{out.vcf}.pileup.bcf", f"{out.vcf}.calls.vcf"


def stop(problem: str) -> None:
    print(f"tumorboard: {problem}", file=log)
    sys.exit(f"tumorboard: {problem}")


with open(snakemake.log.log, "w") as log:
    steps = Steps(log)
    sys.stderr = log
    try:
        with steps.python("identity"):
            if normal:
                ip = identity.IdentityParams(**par.identity)
                targets = [(t.contig, t.start, t.end) for t in read_bed(inp.targets)]
                res = identity.check(
                    inp.tumour_bam, inp.normal_bam, targets, ip, tumour=tumour, normal=normal
                )
                problem, summary = identity.verdict(res, ip)
                print(f"tumorboard: identity {tumour} vs {normal}: {summary}", file=log)
                if problem:
                    stop(problem)
                identity.write_json(res, problem, summary, out.identity)
            else:
                identity.write_not_applicable(tumour, out.identity)
        bams = [b for b in (inp.tumour_bam, inp.normal_bam) if b]
        steps.run(
            "pileup",
            pileup.mpileup_command(
                inp.ref, inp.targets, bams, par.mpileup, pileup.PATIENT_FIELDS, bcf
            ),
        )
        with steps.python("caller"):
            params = caller.params_from_config(par.somatic, par.mpileup)
            models = genemodel.read_gff3(inp.gff)
            regions = hotspots.hotspot_regions(hotspots.read_hotspots(inp.hotspots), models)
            pon_sites = pon.read_sites(inp.pon) if inp.pon else set()
            calls = caller.call(
                bcf, inp.tumour_bam, inp.normal_bam or None, inp.ref, tumour, params, regions,
                pon_sites,
            )  # fmt: skip
            n = caller.write_vcf(calls, calls_vcf, inp.ref, tumour, normal)
        print(
            f"{len(calls)} candidates examined, {n} PASS; panel of normals: {len(pon_sites)} sites",
            file=log,
        )
        normalise_and_annotate(steps, calls_vcf, inp.ref, inp.gff, out.vcf, out.csq)
        with steps.python("pharmacogenomics"):
            germline = patient.normal or patient.tumour
            try:
                block = pgx.genotype_sample(
                    inp.normal_bam or inp.tumour_bam,
                    inp.ref,
                    ContigMap.from_tsv(inp.contigs),
                    Path(inp.pgx_sites).parent,  # the authored tables' directory
                    pgx.Settings.from_config(par.pgx, par.mpileup),
                    germline.sample,
                    germline.type,
                )
            except (PgxTableError, ValueError) as exc:
                stop(f"pharmacogenomics: {exc}")
            with open(out.pgx, "w") as fh:
                json.dump(block, fh, indent=2)
                fh.write("\n")
            for g in block["genes"]:
                print(f"{g['gene']}: {g.get('diplotype')} -> {g['phenotype']}", file=log)
        for f in (bcf, calls_vcf):
            os.remove(f)
    except StepError as exc:
        stop(f"{patient.id}: {exc}")
    finally:
        steps.write(snakemake.log.steps)
