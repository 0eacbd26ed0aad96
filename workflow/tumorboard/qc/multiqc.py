"""MultiQC's HTML report made reproducible: the same QC files give the same bytes.

MultiQC 1.35 writes three run-dependent values into an otherwise deterministic report: a random
``reportUuid``, the creation time (``configCreationDate``), and the gzip header's modification time
of the embedded plot data (``mqc_compressed_plotdata``, base64 of gzipped JSON).  The uuid is made
a function of the plot data, the creation time is left empty (the run's time lives in its logs,
not in its results) and the gzip time is zeroed (the gzip header carries no checksum of itself;
the data's CRC-32 is unchanged).  The analysis paths are switched off in MultiQC's config
(``show_analysis_paths``: they are absolute), the analysis time too (``show_analysis_time``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid

PLOT_DATA = re.compile(r'(<script type="text/plain" id="mqc_compressed_plotdata">)([^<]*)(<)')
REPORT_UUID = re.compile(r'^(\s*reportUuid = ")[^"]*(";)', re.M)
CREATION_DATE = re.compile(r'^(\s*configCreationDate = ")[^"]*(";)', re.M)
GZIP_MAGIC = b"\x1f\x8b"


class MultiqcHtmlError(Exception):
    """The HTML is not a MultiQC report this module knows; the message is one line."""


def reproducible_html(text: str) -> str:
    """``text`` (a MultiQC report) without its run-dependent values (module docstring)."""
    m = PLOT_DATA.search(text)
    if m is None:
        raise MultiqcHtmlError("no embedded plot data (mqc_compressed_plotdata): not MultiQC 1.2x+")
    data = bytearray(base64.b64decode(m.group(2)))
    if data[:2] == GZIP_MAGIC:
        data[4:8] = bytes(4)  # MTIME: 0 = no time stamp (RFC 1952)
    text = text[: m.start(2)] + base64.b64encode(bytes(data)).decode("ascii") + text[m.end(2) :]
    report_id = uuid.uuid5(uuid.NAMESPACE_OID, hashlib.sha256(bytes(data)).hexdigest())
    text = REPORT_UUID.sub(lambda r: f"{r.group(1)}{report_id}{r.group(2)}", text)
    return CREATION_DATE.sub(lambda r: f"{r.group(1)}{r.group(2)}", text)
