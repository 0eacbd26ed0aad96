"""tumorboard.steps: a job's tools run as pipelines without a shell, each process reaped with
os.wait4 for its own CPU time and peak RSS, and the steps table written and read back.

Every test runs real small programs (printf, tr, head, yes, sh, python)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from tumorboard.steps import StepError, Steps, Usage, _tool_name, read

BUSY = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass\n"


@pytest.fixture(autouse=True)
def deadline():
    """A pipeline left waiting (e.g. a pipe end kept open by the parent) fails, not hangs."""

    def expire(signum, frame):
        raise TimeoutError("the step did not finish within 30 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def steps(tmp_path):
    with open(tmp_path / "job.log", "w") as log:
        yield Steps(log)


def log_text(tmp_path) -> str:
    return (tmp_path / "job.log").read_text()


def test_last_process_stdout_lands_in_the_stdout_file(steps, tmp_path):
    """printf | tr | tr: the last process's output is the file, the stages in between applied."""
    out = tmp_path / "out.txt"
    steps.run(
        "upper", ["printf", "a-b\\nc-d\\n"], ["tr", "a-z", "A-Z"], ["tr", "-", "_"], stdout=out
    )
    assert out.read_text() == "A_B\nC_D\n"
    assert [(u.step, u.tool) for u in steps.usage] == [
        ("upper", "printf"),
        ("upper", "tr"),
        ("upper", "tr"),
    ]
    assert "[upper] printf a-b\\nc-d\\n | tr a-z A-Z | tr - _\n" in log_text(tmp_path)


def test_stdin_from_a_file_feeds_the_first_process(steps, tmp_path):
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_bytes(b"hello\nworld\n")
    steps.run("head", ["tr", "a-z", "A-Z"], ["head", "-n", "1"], stdin=src, stdout=out)
    assert out.read_bytes() == b"HELLO\n"


def test_without_stdin_the_first_process_reads_nothing(steps, tmp_path):
    """No stdin file: the first process sees end of input at once (it does not wait on a tty)."""
    out = tmp_path / "out.txt"
    steps.run("count", ["wc", "-c"], stdout=out)
    assert out.read_text().strip() == "0"


def test_without_stdout_the_output_and_stderr_go_to_the_log(steps, tmp_path):
    steps.run("talk", ["sh", "-c", "echo to-out; echo to-err >&2"])
    text = log_text(tmp_path)
    assert "to-out\n" in text and "to-err\n" in text


def test_binary_output_is_passed_byte_for_byte(steps, tmp_path):
    out = tmp_path / "zeros.bin"
    steps.run("bytes", ["head", "-c", "100000", "/dev/zero"], ["head", "-c", "70000"], stdout=out)
    assert out.read_bytes() == b"\0" * 70000


def test_a_failing_middle_process_names_step_tool_and_status(steps, tmp_path):
    with pytest.raises(StepError) as err:
        steps.run(
            "middle",
            ["printf", "x\\n"],
            ["sh", "-c", "cat >/dev/null; exit 3"],
            ["tr", "x", "y"],
            stdout=tmp_path / "out.txt",
        )
    assert str(err.value) == "middle: sh exited with status 3 (see the job's log)"
    # the usage of every process is recorded even when the step fails
    assert [u.tool for u in steps.usage] == ["printf", "sh", "tr"]


def test_a_failing_writer_is_named_not_the_reader_it_left_without_input(steps):
    """printf | sh (exit 3, writes nothing) | a reader failing on empty input: sh is the cause."""
    reader = [sys.executable, "-c", "import sys; sys.exit(0 if sys.stdin.read() else 1)"]
    with pytest.raises(StepError) as err:
        steps.run("cause", ["printf", "x\\n"], ["sh", "-c", "exit 3"], reader)
    assert str(err.value) == "cause: sh exited with status 3 (see the job's log)"


def test_a_single_failing_command(steps):
    with pytest.raises(StepError, match=r"^one: sh exited with status 7 "):
        steps.run("one", ["sh", "-c", "exit 7"])


def test_a_process_killed_by_a_signal_is_named_with_the_signal(steps):
    with pytest.raises(StepError, match=r"^killed: sh was killed by SIGTERM "):
        steps.run("killed", ["sh", "-c", "kill -TERM $$"])


def test_a_reader_failing_early_is_the_cause_not_its_sigpipe_writer(steps):
    """yes | sh (reads one line, exits 5): yes dies of SIGPIPE, the error names sh."""
    with pytest.raises(StepError) as err:
        steps.run("early", ["yes"], ["sh", "-c", "head -n1 >/dev/null; exit 5"])
    assert str(err.value) == "early: sh exited with status 5 (see the job's log)"
    assert "yes" not in str(err.value)


def test_a_writer_stopped_by_sigpipe_after_its_reader_finished_is_not_a_failure(steps, tmp_path):
    """yes | head -n 1: head has what it needs and exits 0; yes's SIGPIPE is not an error."""
    out = tmp_path / "out.txt"
    steps.run("first line", ["yes"], ["head", "-n", "1"], stdout=out)
    assert out.read_text() == "y\n"


def test_a_missing_program_cannot_start(steps, tmp_path):
    with pytest.raises(StepError) as err:
        steps.run("ghost", ["tumorboard-no-such-program", "--help"])
    assert str(err.value) == (
        "ghost: cannot start tumorboard-no-such-program: No such file or directory"
    )


def test_a_missing_program_inside_a_pipeline_stops_the_ones_started(steps, tmp_path):
    """The processes already started are killed and reaped; the error names the missing one."""
    with pytest.raises(StepError, match=r"^ghost: cannot start tumorboard-no-such-program: "):
        steps.run("ghost", ["yes"], ["tumorboard-no-such-program"], ["wc", "-l"])


def test_paths_with_spaces_and_shell_characters_are_taken_literally(steps, tmp_path, monkeypatch):
    """Arguments are never parsed by a shell: ``$(touch x)`` and ``;`` stay part of the name."""
    monkeypatch.chdir(tmp_path)
    odd = tmp_path / "a b;$(touch x).txt"
    odd.write_text("literal\n")
    out = tmp_path / "out $(touch y) & z.txt"
    steps.run("odd", ["cat", odd], ["tr", "a-z", "A-Z"], stdout=out)
    assert out.read_text() == "LITERAL\n"
    steps.run("odd stdin", ["cat"], stdin=odd, stdout=tmp_path / "copy;rm -rf x.txt")
    assert (tmp_path / "copy;rm -rf x.txt").read_text() == "literal\n"
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["a b;$(touch x).txt", "out $(touch y) & z.txt", "copy;rm -rf x.txt", "job.log"]
    )


def test_tool_names_give_the_subcommand_of_bwa_samtools_and_bcftools():
    assert _tool_name(["bwa", "mem", "-t", "4", "ref.fa"]) == "bwa mem"
    assert _tool_name(["/usr/bin/samtools", "sort", "-o", "x.bam"]) == "samtools sort"
    assert _tool_name(["bcftools", "mpileup", "-f", "ref.fa"]) == "bcftools mpileup"
    assert _tool_name(["fastp", "--in1", "a.fq"]) == "fastp"
    assert _tool_name(["/opt/bin/mosdepth", "--by", "t.bed"]) == "mosdepth"
    assert _tool_name(["bwa"]) == "bwa"


def test_usage_rows_name_step_and_tool_with_the_busy_process_cpu(steps, tmp_path):
    """Each process has its own row; a process busy for 0.3 s of CPU shows CPU time > 0."""
    steps.run("busy", [sys.executable, "-c", BUSY], ["cat"])
    busy, cat = steps.usage
    assert (busy.step, busy.tool) == ("busy", Path(sys.executable).name)
    assert (cat.step, cat.tool) == ("busy", "cat")
    assert busy.cpu_s > 0 and busy.max_rss_mb > 0 and busy.wall_s > 0
    # not a speed threshold: the loop runs until its own CPU time (user + system) is 0.3 s,
    # so the user + system time wait4 reports cannot be less, however loaded the machine
    assert busy.cpu_s >= 0.25
    # wait4 gives each process its own figures: the busy one's, not its idle neighbour's
    assert busy.cpu_s > cat.cpu_s
    # the pipeline's processes share the step's wall time
    assert busy.wall_s == cat.wall_s


def test_a_python_step_is_timed_in_process(steps):
    with steps.python("tables"):
        sum(i * i for i in range(300_000))
    with steps.python("pages", tool="chromium"):
        pass
    tables, pages = steps.usage
    assert (tables.step, tables.tool, pages.step, pages.tool) == (
        "tables",
        "python",
        "pages",
        "chromium",
    )
    assert tables.cpu_s > 0 and tables.wall_s > 0
    assert tables.max_rss_mb > 0 and pages.max_rss_mb > 0


def test_the_steps_table_has_its_header_and_reads_back(steps, tmp_path):
    steps.usage += [
        Usage("align L001", "bwa mem", 12.5, 48.25, 5321.125),
        Usage("markdup", "samtools markdup", 0.001, 0.0, 12.0),
    ]
    path = tmp_path / "bench" / "S1.steps.tsv"  # the folder is made
    steps.write(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "step\ttool\twall_s\tcpu_s\tmax_rss_mb"
    assert lines[1] == "align L001\tbwa mem\t12.500\t48.250\t5321.125"
    assert read(path) == steps.usage


def test_a_real_run_reads_back_to_three_decimals(steps, tmp_path):
    steps.run("echo", ["printf", "x"], ["tr", "x", "y"], stdout=tmp_path / "y.txt")
    with steps.python("python step"):
        pass
    steps.write(tmp_path / "steps.tsv")
    back = read(tmp_path / "steps.tsv")
    assert [(u.step, u.tool) for u in back] == [
        ("echo", "printf"),
        ("echo", "tr"),
        ("python step", "python"),
    ]
    for got, want in zip(back, steps.usage, strict=True):
        assert got.wall_s == pytest.approx(want.wall_s, abs=5e-4)
        assert got.cpu_s == pytest.approx(want.cpu_s, abs=5e-4)
        assert got.max_rss_mb == pytest.approx(want.max_rss_mb, abs=5e-4)


def test_no_command_is_refused(steps):
    with pytest.raises(ValueError):
        steps.run("nothing")
