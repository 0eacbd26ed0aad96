# --keep-going (on by default in profiles/slurm): a failed job stops only its patient. The cohort
# rules need every patient's findings, so they do not run; at the end of such a run the cohort
# tables and oncoprint are written for the patients that finished, and the others are listed with
# the jobs that failed and their logs (results/cohort/unfinished.tsv; tumorboard.cohort.partial).
# The panel of normals (somatic.panel_of_normals: cohort) needs every normal: a failed normal
# stops every caller; give a PON file of an earlier run to let the other patients go on.
from tumorboard.cohort import partial as tb_partial

UNFINISHED = "results/cohort/unfinished.tsv"


def patient_outputs(p):
    """A patient's outputs in the order they are made (findings, then the report's)."""
    reads = [] if p.tumour.from_vcf else [s.sample for s in p.samples]
    out = [f"results/align/{s}.bam" for s in reads]
    out += [f"results/coverage/{s}.targets.tsv" for s in reads]
    if reads:
        out.append(f"results/qc/identity/{p.id}.json")
    out += [
        f"results/somatic/{p.id}.vcf.gz",
        f"results/annotate/{p.id}.vcf.gz",
        f"results/findings/{p.id}.json",
        f"results/report/{p.id}.html",
    ]
    return out + expand(REPORT_OUTPUTS, patient=p.id)


onerror:
    try:
        finished, unfinished = tb_partial.write(
            patients={
                pid: [s.sample for s in p.samples]
                for pid, p in SHEET.patients.items()
            },
            expected={pid: patient_outputs(p) for pid, p in SHEET.patients.items()},
            findings={
                pid: f"results/findings/{pid}.json" for pid in SHEET.patients
            },
            log_path=log,
            out={
                "summary": "results/cohort/summary.tsv",
                "maf": "results/cohort/mutations.maf",
                "cna": "results/cohort/cna.txt",
                "oncoprint": "results/cohort/oncoprint.png",
                "unfinished": UNFINISHED,
            },
            genes=config["panel"]["genes"],
            targets=TARGETS,
        )
        print(
            f"tumorboard: cohort: findings for {len(finished)} of {len(SHEET.patients)} "
            f"patient(s) in results/cohort/ (summary.tsv, mutations.maf, cna.txt, oncoprint.png); "
            f"unfinished: {', '.join(r['patient'] for r in unfinished) or 'none'} ({UNFINISHED})",
            file=sys.stderr,
        )
    except (
        Exception
    ) as exc:  # the run has failed already: say why the cohort view is missing
        print(f"tumorboard: cohort: no partial cohort view: {exc}", file=sys.stderr)


onsuccess:
    # every patient finished: a list of unfinished patients from an earlier run is stale
    Path(UNFINISHED).unlink(missing_ok=True)
