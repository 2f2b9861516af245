"""vmtknumpyreader: read a nested dict of numpy arrays from a pickle, HDF5 or npz file (or any registered format)."""

import sys

from vmtkscripts_numpy import formats, pypes

KIND = "arraydict"


class vmtkNumpyReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.InputFileName = ""
        self.ArrayDict = None
        self.Output = None
        self.Format = ""
        self.GuessFormat = 1
        self.MaxRatio = 100.0  # storage.DEFAULT_MAX_RATIO, without importing numpy for --help
        self.SetScriptName("vmtknumpyreader")
        self.SetScriptDoc(
            f"read a nested dict of numpy arrays from a {formats.spoken(KIND, 'read')} file written by "
            "vmtknumpywriter (this package's or vmtk's); pickles are read without running code from them"
        )
        self.SetInputMembers([
            ["Format", "f", "str", 1, formats.format_range(KIND, "read"), "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "",
             "guess the format from the extension ("
             + ", ".join("/".join(entry.extensions) for entry in formats.formats(KIND) if entry.can("read"))
             + "), else from the content"],
            ["InputFileName", "ifile", "str", 1, "", "the input file name"],
            ["MaxRatio", "maxratio", "float", 1, "(0.0,)",
             "the most the file may give back, in times its size (plus 16 MiB): raise it for a trusted file "
             "that compresses better (a mask); inf for no limit"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if not self.InputFileName:
            self.PrintError("no InputFileName; give one with -ifile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load numpy or h5py
        from vmtkscripts_numpy import storage

        if self.Format and self.Format not in formats.names(KIND, "read"):
            self.PrintError(f"unknown Format {self.Format!r}; use one of {', '.join(formats.names(KIND, 'read'))}")
        self.PrintLog(f"Reading {self.Format or 'numpy'} file {self.InputFileName}.")
        with self.ReportProgress(f"reading {self.InputFileName}"):
            self.ArrayDict = storage.read(self.InputFileName, format=self.Format or None, max_ratio=self.MaxRatio)
        self.Output = self.ArrayDict


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
