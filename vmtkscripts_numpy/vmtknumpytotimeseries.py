"""vmtknumpytotimeseries: write a time series (one VTKHDF file, a .pvd or a .series) from numpy or from step files."""

import os
import sys

from vmtkscripts_numpy import formats, pypes

KIND = "timeseries"


class vmtkNumpyToTimeSeries(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.ArrayDict = None
        self.InputFiles = ""
        self.Times = []
        self.Static = []
        self.OutputFileName = ""
        self.Format = ""
        self.Mode = "binary"
        self.SetScriptName("vmtknumpytotimeseries")
        self.SetScriptDoc(
            "write a time series that ParaView plays from a time-series ArrayDict (a surface, centerline, mesh or "
            "image dict with a TimeSeries section) or from a folder or glob pattern of one file per step on one "
            "geometry (vmtk's usual output): one transient VTKHDF file (.vtkhdf, the geometry once), or a "
            f"ParaView collection (.pvd) or file series (.series) with one file per step; formats: "
            f"{formats.spoken(KIND, 'write')}"
        )
        self.SetInputMembers([
            ["ArrayDict", "i", "dict", 1, "", "the input time-series array dictionary", "vmtknumpyreader"],
            ["InputFiles", "ifiles", "str", 1, "",
             "instead of -i: a folder, or a quoted glob pattern, of one surface, mesh or image file per step"],
            ["Times", "times", "float", -1, "", "the time of each step file (default: 0, 1, 2, ... in file order)"],
            ["Static", "static", "str", -1, "",
             "names of the step files' arrays that do not change (default: those equal at every step)"],
            ["OutputFileName", "ofile", "str", 1, "", "the time-series file: name.vtkhdf, name.pvd or name.vtp.series"],
            ["Format", "format", "str", 1, formats.format_range(KIND, "write"),
             "file format; default: guessed from the extension"],
            ["Mode", "mode", "str", 1, '["binary","ascii"]', "the step files of .pvd and .series: binary or ascii"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the time-series array dictionary written"]])

    def IORead(self):
        # -ifile reads one stored dict; a folder or a glob of step files (vmtk's usual output) is -ifiles.
        path = self.ArrayDictInputFileName
        if path and (os.path.isdir(path) or (not os.path.exists(path) and any(c in path for c in "*?["))):
            self.PrintError(f"{path}: -ifile reads one time-series ArrayDict file; give a folder or a glob "
                            "pattern of step files with -ifiles")
        pypes.pypeScript.IORead(self)

    def Execute(self):
        if not self.OutputFileName:
            self.PrintError("no OutputFileName; give one with -ofile")
        if self.ArrayDict is None and not self.InputFiles:
            self.PrintError("no input; give a time-series ArrayDict with -i or -ifile, or step files with -ifiles")
        # imported here so that `--help` does not load numpy or VTK
        from vmtkscripts_numpy.vtkfiles.series_io import write_time_series
        from vmtkscripts_numpy.vtkfiles.step_files import read_step_files

        if self.ArrayDict is None:
            self.PrintLog(f"Reading the step files {self.InputFiles}.")
            self.ArrayDict = read_step_files(self.InputFiles, list(self.Times) or None, list(self.Static) or None)
        self.PrintLog(f"Writing the time series {self.OutputFileName}.")
        with self.ReportProgress(f"writing {self.OutputFileName}"):
            written = write_time_series(self.ArrayDict, self.OutputFileName, self.Format or None, self.Mode)
        self.OutputFileName = str(written)


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
