"""The report of one patient: HTML from the findings JSON (+ run provenance), its PDF, and the
page-1 images (Chromium screenshot with a no-network-request check; pdftoppm of the PDF)."""

import json
import sys

from tumorboard.report.html import render_report
from tumorboard.report.pdf import html_to_pdf, screenshots
from tumorboard.steps import Steps

inp, out = snakemake.input, snakemake.output
with open(snakemake.log.log, "w") as log:
    sys.stderr = log
    steps = Steps(log)
    try:
        with steps.python("html"):
            with open(inp.findings) as fh:
                findings = json.load(fh)
            with open(inp.provenance) as fh:
                provenance = json.load(fh)
            render_report(findings, provenance, out.html)
        with steps.python("pdf"):
            pages = html_to_pdf(out.html, out.pdf)
        print(f"{out.pdf}: {pages} page(s)", file=log)
        with steps.python("page images", tool="chromium"):
            result = screenshots(out.html, out.pdf, out.html_png, out.pdf_png, snakemake.log.netlog)
        print(f"{out.html}: no network request attempted by the page", file=log)
        print(
            "Chromium's own background requests (contained: no host resolves, closed proxy): "
            f"{len(result['browser_requests'])}",
            file=log,
        )
        for url in result["browser_requests"]:
            print(f"  {url}", file=log)
    finally:
        steps.write(snakemake.log.steps)
