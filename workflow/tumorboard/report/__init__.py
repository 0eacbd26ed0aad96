"""The per-patient report: the view model built from the findings document, its own figures,
the self-contained HTML rendered from the package's jinja2 templates, the PDF and page-1
screenshots made from that HTML, and the methods text and run provenance (tool versions, input
checksums) the report cites."""
