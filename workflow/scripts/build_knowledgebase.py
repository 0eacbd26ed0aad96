"""Build the versioned knowledge base (CIViC export + biomarker table + tumour types)."""

import sys

from tumorboard.knowledge.sources import build, write_kb
from tumorboard.knowledge.tumour_types import TumourTypeError
from tumorboard.knowledge.vocabulary import KnowledgeBaseError

sys.stderr = open(snakemake.log[0], "w")
inp = snakemake.input
try:
    kb = build(inp.civic, inp.biomarkers, inp.tumour_types, snakemake.params.civic)
    write_kb(kb, snakemake.output[0])
except (KnowledgeBaseError, TumourTypeError) as exc:
    sys.exit(f"tumorboard: {exc}")
for s in kb.sources:
    print(
        f"{s['name']}: {s['file']} ({s['layout']}), release {s['release_date']}, "
        f"sha256 {s['sha256']}, {s['records']} records kept of {s['rows']} rows, "
        f"excluded {s['excluded']}; {len(s.get('skipped_profiles', []))} unreadable profile(s) "
        "skipped",
        file=sys.stderr,
    )
    for skip in s.get("skipped_profiles", []):  # unreadable profiles: skipped, never a failure
        print(f"  skipped {skip['id']}: {skip['error']}", file=sys.stderr)
print(f"{len(kb.records)} evidence records", file=sys.stderr)
