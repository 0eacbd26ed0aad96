"""Outputs that must not depend on when or where a run happened (issue 14): MultiQC's HTML
normalised (tumorboard.qc.multiqc), and extra tool arguments from the config that reach a shell
checked and re-quoted (tumorboard.inputs.config.extra_args)."""

import base64
import gzip
import io
import json
import shlex
import subprocess

import pytest

from tumorboard.inputs import config as tb_config
from tumorboard.qc.multiqc import MultiqcHtmlError, reproducible_html


def multiqc_html(mtime: float, report_uuid: str, created: str) -> str:
    """The lines of a MultiQC 1.35 report that vary from run to run, around fixed plot data."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=mtime) as fh:
        fh.write(json.dumps({"plots": {"fastp": [1, 2, 3]}}).encode())
    data = base64.b64encode(buf.getvalue()).decode()
    return (
        "<html><head><script>\n"
        f'reportUuid = "{report_uuid}";\n'
        f'configCreationDate = "{created}";\n'
        "</script></head><body>\n"
        f'<script type="text/plain" id="mqc_compressed_plotdata">{data}</script>\n'
        "</body></html>\n"
    )


def test_multiqc_reports_of_two_runs_become_identical():
    first = multiqc_html(1.7e9, "36146ddd-c088-4dd1-9d9c-01fdf5b95f1e", "02 Dec 2026, 13:35 UTC")
    second = multiqc_html(1.7e9 + 60, "07bb8279-896f-405a-90bb-837867f07230", "02 Dec 2026, 13:36")
    assert first != second
    a, b = reproducible_html(first), reproducible_html(second)
    assert a == b
    assert "13:3" not in a and "36146ddd" not in a
    # the plot data still decompresses to the same JSON
    payload = a.split('id="mqc_compressed_plotdata">')[1].split("<")[0]
    assert json.loads(gzip.decompress(base64.b64decode(payload))) == {"plots": {"fastp": [1, 2, 3]}}


def test_a_page_that_is_not_multiqc_is_refused():
    with pytest.raises(MultiqcHtmlError):
        reproducible_html("<html><body>fastp report</body></html>")


KEY = "params.fastp.extra"


@pytest.mark.parametrize(
    "extra,args",
    [
        ("", []),
        ("--cut_front --cut_mean_quality 20", ["--cut_front", "--cut_mean_quality", "20"]),
        ("--adapter_sequence='AGATCGGAAGAGC'", ["--adapter_sequence=AGATCGGAAGAGC"]),
        ('--length_required "50"', ["--length_required", "50"]),
    ],
)
def test_plain_extra_arguments_are_split_as_a_shell_would(extra, args):
    assert tb_config.extra_args(extra, KEY) == args
    assert shlex.split(tb_config.shell_args(extra, KEY)) == args


@pytest.mark.parametrize(
    "extra,message",
    [
        ("--cut_front; rm -rf results", "';' is shell syntax"),
        ("--cut_front && touch pwned", "'&' is shell syntax"),
        ("-q 20 | tee x", "'|' is shell syntax"),
        ("--adapter_sequence $(cat /etc/passwd)", "'$' is shell syntax"),
        ("--adapter_sequence `id`", "'`' is shell syntax"),
        ("-q 20 > /tmp/x", "'>' is shell syntax"),
        ("--adapter_fasta *.fa", "'*' is shell syntax"),
        ("-q 20\nid", "'\\n' is shell syntax"),
        ("--adapter_sequence 'AGATC", "cannot be split into arguments (No closing quotation)"),
        ("--html /tmp/report.html", "--html is set by the workflow itself"),
        ("--thread=8", "--thread is set by the workflow itself"),
        ("-o other.fq.gz", "-o is set by the workflow itself"),
    ],
)
def test_shell_syntax_in_extra_arguments_is_one_line_naming_the_key(extra, message):
    with pytest.raises(tb_config.ConfigError) as exc:
        tb_config.extra_args(extra, KEY)
    text = str(exc.value)
    assert text.startswith(f"{KEY} = ") and message in text and "\n" not in text


def test_config_validation_checks_the_extra_arguments():
    config = {"params": {"fastp": {"extra": "--cut_front; id"}}}
    with pytest.raises(tb_config.ConfigError, match=r"^params\.fastp\.extra = .*';' is shell"):
        tb_config.validate(config)


def test_checked_arguments_reach_the_tool_as_arguments(tmp_path):
    """What the fastp rule's shell line receives: each argument as one word, none interpreted."""
    extra = "--adapter_sequence 'AGATC GGAAG' -q 20"
    line = f"printf '%s\\n' {tb_config.shell_args(extra, KEY)}"
    out = subprocess.run(["bash", "-c", line], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["--adapter_sequence", "AGATC GGAAG", "-q", "20"]
