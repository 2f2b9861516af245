"""Progress of long reads and writes: drawn on a terminal after a second, a few times a second, never elsewhere;
fed by the package's own writers and readers, shown by the scripts that log."""

import io
import itertools
import sys

import numpy as np
import pytest

from vmtkscripts_numpy import progress, storage, vmtkscripts
from vmtkscripts_numpy.pypes import cli
from vmtkscripts_numpy.storage import hdf5, npz


class Terminal(io.StringIO):
    def isatty(self):
        return True


def ticking(step):
    """A clock that moves on by ``step`` seconds each time it is read."""
    counter = itertools.count()
    return lambda: next(counter) * step


def drawn(stream):
    """The lines drawn, in order (each ``\\r`` starts one)."""
    return [text.rstrip("\n") for text in stream.getvalue().split("\r") if text]


def test_a_read_or_write_quicker_than_the_delay_shows_nothing():
    terminal = Terminal()
    with progress.reporting("writing a.h5", stream=terminal, total=10, clock=ticking(0.01)):
        for _ in range(10):
            progress.advance(1)

    assert terminal.getvalue() == ""


def test_a_long_one_is_drawn_in_place_a_few_times_a_second_then_ended_with_its_time():
    terminal = Terminal()
    with progress.reporting("writing a.h5", stream=terminal, total=100, clock=ticking(0.1)):
        for _ in range(100):
            progress.advance(1)

    lines = drawn(terminal)
    assert lines[0] == "writing a.h5:  10%"  # after a second: the tenth step of a clock moving 0.1 s a step
    assert len(lines) < 100 / (progress.INTERVAL / 0.1)  # at most once per INTERVAL
    assert lines[-1] == "writing a.h5: 100% (10.1 s)" and terminal.getvalue().endswith("\n")
    percents = [int(line.split(":")[1].split("%")[0]) for line in lines]
    assert percents == sorted(percents)


def test_without_a_total_the_bytes_done_are_shown():
    terminal = Terminal()
    with progress.reporting("reading a.pickle", stream=terminal, clock=ticking(1.0)):
        progress.advance(5e6)
        progress.advance(5e6)

    assert drawn(terminal)[:2] == ["reading a.pickle: 5 MB", "reading a.pickle: 10 MB"]


def test_a_vtk_style_fraction_is_shown_as_a_percentage():
    terminal = Terminal()
    with progress.reporting("writing a.vti", stream=terminal, clock=ticking(1.0)):
        progress.fraction(0.25)
        progress.fraction(0.5)

    assert drawn(terminal)[:2] == ["writing a.vti:  25%", "writing a.vti:  50%"]


@pytest.mark.parametrize("stream, enabled", [(io.StringIO(), True), (Terminal(), False)])
def test_nothing_is_shown_in_a_file_or_pipe_or_when_not_enabled(stream, enabled):
    with progress.reporting("writing a.h5", enabled=enabled, stream=stream, total=2, clock=ticking(5.0)) as shown:
        progress.advance(1)
        assert shown is None and progress.current() is None

    assert stream.getvalue() == ""


def test_feeding_without_a_report_does_nothing():
    progress.advance(1)
    progress.fraction(0.5)
    progress.expect(10)

    assert progress.current() is None


def test_the_innermost_report_is_fed():
    outer, inner = Terminal(), Terminal()
    with progress.reporting("pipe", stream=outer, total=1, clock=ticking(5.0)):
        with progress.reporting("writing a.h5", stream=inner, total=1, clock=ticking(5.0)):
            progress.advance(1)
        assert progress.current().label == "pipe"

    assert outer.getvalue() == "" and drawn(inner)[0] == "writing a.h5: 100%"


def test_vtk_progress_events_feed_the_report():
    from vtkmodules.vtkImagingCore import vtkImageShiftScale
    from vtkmodules.vtkImagingSources import vtkImageNoiseSource

    source = vtkImageNoiseSource()
    source.SetWholeExtent(0, 127, 0, 127, 0, 63)
    algorithm = vtkImageShiftScale()
    algorithm.SetInputConnection(source.GetOutputPort())
    terminal = Terminal()
    with progress.reporting("filtering", stream=terminal, clock=ticking(1.0)):
        progress.observe(algorithm)
        algorithm.Update()

    assert drawn(terminal)[-1].startswith("filtering: 100%")


BIG = np.random.default_rng(0).integers(0, 4000, (64, 512, 512), np.int16)  # 32 MB: blocks of 16 MiB or less


@pytest.mark.parametrize("writer, options", [(hdf5.write, {}), (hdf5.write, {"compression": "gzip"}),
                                             (npz.write, {})], ids=["hdf5", "hdf5 gzip", "npz"])
def test_the_arraydict_writers_feed_it_block_by_block_and_write_the_same_file(tmp_path, writer, options):
    arrays = {"PointData": {"ImageScalars": BIG}, "Spacing": np.ones(3)}
    quiet = writer(arrays, tmp_path / "quiet.data", **options)
    terminal = Terminal()

    with progress.reporting("writing", stream=terminal, clock=ticking(1.0)):
        shown = writer(arrays, tmp_path / "shown.data", **options)

    percents = [line for line in drawn(terminal) if "%" in line]
    assert len(percents) > 2 and percents[-1].startswith("writing: 100%")
    assert np.array_equal(storage.read(shown, format=writer.__module__.rsplit(".", 1)[1])["PointData"]["ImageScalars"],
                          BIG)
    if writer is hdf5.write:
        assert shown.read_bytes() == quiet.read_bytes()


@pytest.mark.parametrize("extension", ["mha", "vti"])  # the package's MetaImage code, VTK's XML writer and reader
def test_image_writes_and_reads_feed_it(tmp_path, extension):
    from vmtkscripts_numpy import dict_to_image
    from vmtkscripts_numpy.vtkfiles import read_image, write_image

    image = dict_to_image({"Origin": np.zeros(3), "Spacing": np.ones(3), "Dimensions": np.array(BIG.shape[::-1]),
                           "IndexOrder": "zyx", "PointData": {"ImageScalars": BIG}})
    path = tmp_path / f"big.{extension}"
    for operation in (lambda: write_image(image, path), lambda: read_image(path)):
        terminal = Terminal()
        with progress.reporting("image", stream=terminal, clock=ticking(1.0)):
            operation()
        assert len(drawn(terminal)) > 3 and drawn(terminal)[-1].startswith("image: 100%")


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)


@pytest.mark.parametrize("log_on", [1, 0])
def test_a_script_shows_progress_on_a_terminal_only_when_it_logs(tmp_path, monkeypatch, no_delay, log_on):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)  # here: pytest sets its own between a fixture and the test
    writer = vmtkscripts.vmtkNumpyWriter()
    writer.ArrayDict, writer.OutputFileName = {"PointData": {"ImageScalars": BIG}}, str(tmp_path / "big.h5")
    writer.OutputStream, writer.LogOn = io.StringIO(), log_on

    writer.Execute()

    monkeypatch.undo()
    shown = drawn(terminal)
    if log_on:
        assert shown[-1].startswith(f"writing {tmp_path / 'big.h5'}: 100% (")
    else:
        assert shown == []
    assert "%" not in writer.OutputStream.getvalue()  # never in the logs themselves


def test_the_command_line_draws_nothing_into_a_captured_stderr(tmp_path, capsys, no_delay):
    source = storage.write({"PointData": {"ImageScalars": BIG}}, tmp_path / "big.h5")

    assert cli.main(["vmtknumpy", "vmtknumpyreader", "-ifile", str(source),
                     "--pipe", "vmtknumpywriter", "-ofile", str(tmp_path / "copy.npz")]) == 0

    captured = capsys.readouterr()
    assert captured.err == "" and "Writing npz file" in captured.out and "%" not in captured.out
