"""Copy number: per-target read depth of the tumour against its matched normal or a pooled
reference (normalised for library size, GC content and target size, centred on the backbone),
the tumour purity from somatic SNV allele fractions when the sheet gives none, gene estimates with
intervals and calls, external copy-number segments for a patient that starts from a VCF, and the
profile figure."""
