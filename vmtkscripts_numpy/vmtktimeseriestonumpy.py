"""vmtktimeseriestonumpy: read a time series (a VTKHDF file, a .pvd or a .series) as a nested dict of numpy arrays."""

import sys

from vmtkscripts_numpy import formats, pypes

KIND = "timeseries"


class vmtkTimeSeriesToNumpy(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.InputFileName = ""
        self.Format = ""
        self.Step = None
        self.ArrayDict = None
        self.SetScriptName("vmtktimeseriestonumpy")
        self.SetScriptDoc(
            "read a time series on one geometry, whoever wrote it (this package, VTK, ParaView), as a time-series "
            "ArrayDict: the geometry and its static arrays, plus TimeSeries with Times and the (T, ...) arrays "
            f"(and Points, when they move); or one step alone as a plain ArrayDict (-step); formats: "
            f"{formats.spoken(KIND, 'read')}"
        )
        self.SetInputMembers([
            ["InputFileName", "ifile", "str", 1, "", "the time-series file (.vtkhdf, .pvd, .series)"],
            ["Format", "format", "str", 1, formats.format_range(KIND, "read"),
             "file format; default: guessed from the extension"],
            ["Step", "step", "int", 1, "", "read only this step (0 is the first, -1 the last); default: every step"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if not self.InputFileName:
            self.PrintError("no InputFileName; give one with -ifile")
        # imported here so that `--help` does not load numpy or VTK
        from vmtkscripts_numpy.vtkfiles.series_io import read_time_series

        step = None if self.Step is None or self.Step == "" else int(self.Step)
        self.PrintLog(f"Reading the time series {self.InputFileName}" + ("." if step is None else f", step {step}."))
        with self.ReportProgress(f"reading {self.InputFileName}"):
            self.ArrayDict = read_time_series(self.InputFileName, self.Format or None, step)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
