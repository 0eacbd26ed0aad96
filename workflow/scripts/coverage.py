"""Per-target depth of a sample with mosdepth (targets with threshold counts, then the antitarget
bins) and the two tables with GRCh38 positions: one job instead of four."""

import subprocess
import sys

from tumorboard.qc.coverage import target_table
from tumorboard.reference.contigs import ContigMap

sys.stderr = log = open(snakemake.log[0], "w")
inp, out, params = snakemake.input, snakemake.output, snakemake.params


def mosdepth(prefix: str, bed: str, *extra: str) -> None:
    cmd = ["mosdepth", "--no-per-base", "--by", bed, "--mapq", str(params.min_mapq)]
    cmd += ["--threads", str(snakemake.threads), *extra, prefix, inp.bam]
    print(" ".join(cmd), file=log, flush=True)
    subprocess.run(cmd, check=True, stdout=log, stderr=log)


contigs = ContigMap.from_tsv(inp.contigs)
thresholds = ",".join(str(t) for t in params.thresholds)
mosdepth(params.prefix, inp.targets, "--thresholds", thresholds)
target_table(out.regions, out.thresholds, contigs).to_csv(out.table, sep="\t", index=False)
mosdepth(f"{params.prefix}.antitargets", inp.bins)
target_table(out.antitarget_regions, None, contigs).to_csv(
    out.antitarget_table, sep="\t", index=False
)
