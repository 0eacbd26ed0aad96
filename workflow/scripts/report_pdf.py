"""The PDF of the HTML report (WeasyPrint, print stylesheet, no external fetches)."""

import sys

from tumorboard.report.pdf import html_to_pdf

sys.stderr = open(snakemake.log[0], "w")
pages = html_to_pdf(snakemake.input[0], snakemake.output[0])
print(f"{snakemake.output[0]}: {pages} page(s)", file=sys.stderr)
