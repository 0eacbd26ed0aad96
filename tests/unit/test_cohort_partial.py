"""tumorboard.cohort.partial: which patient a failed job of a `--keep-going` run belongs to."""

from tumorboard.cohort import partial

LOG = """\
[Wed Dec  2 14:00:00 2026]
Error in rule somatic_call:
    message: tumour SWAP01-T and normal SWAP01-N are the same reads
    jobid: 40
    input: results/align/SWAP01-T.bam, results/align/SWAP01-N.bam
    output: results/somatic/SWAP01.vcf.gz, results/qc/identity/SWAP01.json
    log: results/logs/somatic_call/SWAP01.log, results/benchmarks/somatic_call/SWAP01.steps.tsv (check log file(s) for error details)

Error in group sample:
    message: SLURM-job '12' failed
    log: /w/.snakemake/slurm_logs/group_sample/12.log (check log file(s) for error details)
    jobs:
        rule unpack_reads:
            jobid: 3
            output: results/unpack/P10-T/L001_R1.fastq.gz
        rule align:
            jobid: 4
            output: results/qc/lanes/P10-T, results/align/P10-T.bam
Exiting because a job execution failed. Look above for error messages
"""  # noqa: E501 (Snakemake's lines, as it writes them)


def test_failures_are_attributed_to_the_patient_they_name():
    # the job's log to read; its steps table (also a declared log) is not one
    assert partial.failures(LOG, ["SWAP01", "SWAP01-T", "SWAP01-N"]) == (
        ["somatic_call"],
        ["results/logs/somatic_call/SWAP01.log"],
    )
    # a group job's member rules; P1 is not P10 (nor P1-T a prefix of P10-T)
    assert partial.failures(LOG, ["P10", "P10-T", "P10-N"]) == (["unpack_reads", "align"], [])
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
            "failed": "somatic_call",
            "logs": "results/logs/somatic_call/SWAP01.log",
            "first_missing": "identity.json",
        }
    ]
