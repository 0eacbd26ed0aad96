"""tumorboard.cohort.partial: which patient a failed job of a `--keep-going` run belongs to."""

from tumorboard.cohort import partial

LOG = """\
[Wed Dec  2 14:00:00 2026]
Error in rule identity:
    message: tumour SWAP01-T and normal SWAP01-N are the same reads
    jobid: 40
    input: results/align/SWAP01-T.bam, results/align/SWAP01-N.bam
    output: results/qc/identity/SWAP01-T_vs_SWAP01-N.json
    log: results/logs/identity/SWAP01-T_vs_SWAP01-N.log (check log file(s) for error details)

Error in group sample:
    message: SLURM-job '12' failed
    log: /w/.snakemake/slurm_logs/group_sample/12.log (check log file(s) for error details)
    jobs:
        rule check_fastq:
            jobid: 3
            output: results/qc/P10-T/L001.fastq_check.json
        rule fastp:
            jobid: 4
            output: results/qc/P10-T/L001.fastp.json
Exiting because a job execution failed. Look above for error messages
"""


def test_failures_are_attributed_to_the_patient_they_name():
    assert partial.failures(LOG, ["SWAP01", "SWAP01-T", "SWAP01-N"]) == (
        ["identity"],
        ["results/logs/identity/SWAP01-T_vs_SWAP01-N.log"],
    )
    # a group job's member rules; P1 is not P10 (nor P1-T a prefix of P10-T)
    assert partial.failures(LOG, ["P10", "P10-T", "P10-N"]) == (["check_fastq", "fastp"], [])
    assert partial.failures(LOG, ["P1", "P1-T", "P1-N"]) == ([], [])


def test_unfinished_rows_name_the_first_missing_output(tmp_path):
    (tmp_path / "a.bam").write_text("x")
    rows = partial.unfinished_rows(
        {"SWAP01": ["SWAP01-T", "SWAP01-N"], "OK01": ["OK01-T"]},
        {"SWAP01": ["a.bam", "identity.json", "findings.json"], "OK01": ["a.bam"]},
        LOG,
        workdir=tmp_path,
    )
    assert rows == [
        {
            "patient": "SWAP01",
            "samples": "SWAP01-T,SWAP01-N",
            "failed": "identity",
            "logs": "results/logs/identity/SWAP01-T_vs_SWAP01-N.log",
            "first_missing": "identity.json",
        }
    ]
