"""Page 1 of the report in headless Chromium (failing if the page attempts any network request)
and page 1 of its PDF (pdftoppm)."""

import sys

from tumorboard.report.pdf import screenshots

sys.stderr = open(snakemake.log.log, "w")
out = snakemake.output
result = screenshots(
    snakemake.input.html, snakemake.input.pdf, out.html_png, out.pdf_png, snakemake.log.netlog
)
print(f"{snakemake.input.html}: no network request attempted by the page", file=sys.stderr)
print(
    f"Chromium's own background requests (contained: no host resolves, closed proxy): "
    f"{len(result['browser_requests'])}",
    file=sys.stderr,
)
for url in result["browser_requests"]:
    print(f"  {url}", file=sys.stderr)
