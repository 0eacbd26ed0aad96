"""The report of one patient: its provenance JSON (versions, commit, checksums and the generated
methods text), the HTML from the findings JSON + provenance, its PDF, and the page-1 images
(Chromium screenshot with a no-network-request check; pdftoppm of the PDF)."""

import json
import sys
from pathlib import Path

from tumorboard.report import methods
from tumorboard.report.html import render_report
from tumorboard.report.pdf import html_to_pdf, screenshots
from tumorboard.steps import Steps

inp, out, par = snakemake.input, snakemake.output, snakemake.params
with open(snakemake.log.log, "w") as log:
    sys.stderr = log
    steps = Steps(log)
    try:
        with steps.python("provenance"):
            patient = par.patient
            with open(inp.versions) as fh:
                versions = json.load(fh)
            provenance = methods.build_provenance(
                patient=patient.id,
                config=snakemake.config,
                tool_versions=versions,
                inputs=inp.inputs,
                resources={name: inp[name] for name in par.resources},
                # the workflow's checkout (git commit); resolve(): scriptdir may hold "rules/.."
                project_dir=Path(snakemake.scriptdir).resolve().parents[1],
                from_vcf=patient.tumour.from_vcf,
                tumour_only=patient.normal is None,
                pooled_normals=par.pooled_normals,
                knowledge_base=inp.get("knowledge_base"),
                copy_number_background=inp.get("copy_number_background") or None,
            )
            # the knowledge-currency settings page 1 judges source ages by (report.document)
            knowledge = snakemake.config.get("knowledge", {})
            provenance["knowledge"] = {
                "max_age_years": knowledge.get("max_age_years", 2),
                "as_of": knowledge.get("as_of", ""),
            }
            with open(out.provenance, "w") as fh:
                json.dump(provenance, fh, indent=2)
                fh.write("\n")
        print(
            f"provenance: {len(provenance['inputs'])} input file(s), "
            f"{len(provenance['resources'])} resource(s)",
            file=log,
        )
        with steps.python("html"):
            with open(inp.findings) as fh:
                findings = json.load(fh)
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
