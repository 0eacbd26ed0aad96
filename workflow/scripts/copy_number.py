"""Gene copy number of one patient: from read depth, or from external segments."""

import json
import sys

from tumorboard.copynumber import plot
from tumorboard.copynumber.antitarget import ANTITARGET
from tumorboard.copynumber.calls import Purity, Settings
from tumorboard.copynumber.method import CopyNumberError, gene_copy_number
from tumorboard.copynumber.segments import SegmentsError

sys.stderr = open(snakemake.log[0], "w")
inp, out = snakemake.input, snakemake.output
settings = Settings.from_config(snakemake.params.settings)
try:
    genes, targets, purity = gene_copy_number(
        Purity.from_sheet(snakemake.params.purity),
        settings,
        targets_grch38=inp.panel_grch38,
        segments=inp.get("segments"),
        tumour=inp.get("tumour"),
        normals=inp.get("normals", []),
        fasta=inp.ref,
        vcf=inp.get("vcf"),
        matched=snakemake.params.matched_normal,
        tumour_antitargets=inp.get("tumour_antitargets"),
        normals_antitargets=inp.get("normals_antitargets", []),
        tumour_markdup=inp.get("tumour_markdup"),
        normals_markdup=inp.get("normals_markdup", []),
    )
except (CopyNumberError, SegmentsError) as exc:
    sys.exit(str(exc))
if not inp.get("segments"):
    print(f"GC/size correction: {targets.attrs.get('bias')}", file=sys.stderr)

background = targets.attrs.get("background", {"mode": "segments"})
print(f"background: {background}", file=sys.stderr)
with open(out.background, "w") as fh:
    json.dump(background, fh, indent=2, sort_keys=True)
    fh.write("\n")
genes.to_csv(out.genes, sep="\t", index=False)
# the per-target table (report profile, findings) holds the capture targets; antitarget bins
# are summarised in the background JSON
targets = targets[targets["target"] != ANTITARGET]
targets.to_csv(out.targets, sep="\t", index=False)
figure = plot.profile_figure(
    plot.profile_points(targets), genes.to_dict("records"), purity.value, settings
)
plot.write_profile(figure, out.profile)
print(f"purity: {purity}", file=sys.stderr)
print(genes.to_string(), file=sys.stderr)
