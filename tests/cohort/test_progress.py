"""What a run shows while it goes: a bar on a terminal, a plain line now and then elsewhere, nothing when quiet."""

import io

from vmtkscripts_numpy.cohort.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar_redrawn_in_place_and_a_line_for_a_failure():
    screen = Terminal()
    progress = Progress(4, screen, interval=0)

    for status in ("done", "failed", "done", "done"):
        progress.update(status)
    progress.say("vmtknumpybatch: failed case1: a reason")
    progress.close()

    text = screen.getvalue()
    assert "\r" in text and "[" + "#" * 28 + "] 4/4 (done 3, failed 1)" in text
    assert text.endswith("vmtknumpybatch: failed case1: a reason\n")


def test_a_log_file_gets_plain_lines_at_the_interval_and_no_control_characters():
    log = io.StringIO()
    progress = Progress(3, log, interval=0)

    for status in ("done", "done", "failed"):
        progress.update(status)

    lines = log.getvalue().splitlines()
    assert lines[-1].startswith("vmtknumpybatch: 3/3 (done 2, failed 1), ")
    assert len(lines) == 3 and "\r" not in log.getvalue() and "\033" not in log.getvalue()


def test_a_long_interval_keeps_a_log_file_short():
    log = io.StringIO()
    progress = Progress(100, log, interval=3600)

    for _ in range(100):
        progress.update("done")

    assert log.getvalue() == ""


def test_no_stream_is_quiet():
    progress = Progress(2, None)
    progress.update("done")
    progress.say("anything")
    progress.close()
    assert progress.done == 1
