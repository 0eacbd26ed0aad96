"""Gene copy number of one patient: from read depth, or from external segments."""

import sys
from pathlib import Path

import pandas as pd

from tumorboard import cnv

sys.stderr = open(snakemake.log[0], "w")
inp, out = snakemake.input, snakemake.output
settings = cnv.Settings.from_config(snakemake.params.settings)
purity = cnv.Purity.from_sheet(snakemake.params.purity)

if inp.get("segments"):
    genes, targets = cnv.genes_from_segments(
        cnv.read_segments(inp.segments),
        cnv.read_targets_grch38(inp.panel_grch38),
        purity,
        settings,
        source=f"segments: {Path(inp.segments).name}",
    )
elif inp.get("tumour"):
    tumour = pd.read_csv(inp.tumour, sep="\t")
    normals = [pd.read_csv(path, sep="\t") for path in inp.normals]
    if not normals:
        sys.exit("copy number from reads needs a matched normal or normals in the sample sheet")
    vcf = inp.get("vcf")
    snvs = cnv.snv_allele_counts(vcf) if vcf else None
    genes, targets, purity = cnv.copy_number_from_depth(
        tumour,
        normals,
        cnv.gc_content(inp.ref, tumour),
        purity,
        settings,
        snvs,
        matched=snakemake.params.matched_normal,
    )
    print(f"GC/size correction: {targets.attrs.get('bias')}", file=sys.stderr)
else:
    sys.exit("copy number needs reads or copy-number segments (sheet column cna)")

genes.to_csv(out.genes, sep="\t", index=False)
targets.to_csv(out.targets, sep="\t", index=False)
figure = cnv.profile_figure(
    cnv.profile_points(targets), genes.to_dict("records"), purity.value, settings
)
cnv.write_profile(figure, out.profile)
print(f"purity: {purity}", file=sys.stderr)
print(genes.to_string(), file=sys.stderr)
