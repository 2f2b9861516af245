"""vmtknumpyreader: read a nested dict of numpy arrays from a pickle, HDF5 or npz file."""

import sys

from vmtkscripts_numpy import pypes


class vmtkNumpyReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.InputFileName = ""
        self.ArrayDict = None
        self.Output = None
        self.Format = ""
        self.GuessFormat = 1
        self.SetScriptName("vmtknumpyreader")
        self.SetScriptDoc(
            "read a nested dict of numpy arrays from a pickle, HDF5 or npz file written by vmtknumpywriter "
            "(this package's or vmtk's); pickles are read without running code from them"
        )
        self.SetInputMembers([
            ["Format", "f", "str", 1, '["pickle","hdf5","npz"]', "file format"],
            ["GuessFormat", "guessformat", "bool", 1, "",
             "guess the format from the extension (.pickle/.pkl, .hdf5/.h5/.hdf, .npz), else from the content"],
            ["InputFileName", "ifile", "str", 1, "", "the input file name"]])
        self.SetOutputMembers([["ArrayDict", "o", "dict", 1, "", "the output dictionary", "vmtknumpywriter"]])

    def Execute(self):
        if not self.InputFileName:
            self.PrintError("no InputFileName; give one with -ifile")
        if not self.Format and not self.GuessFormat:
            self.PrintError("no Format; give one with -f or use -guessformat 1")
        # imported here so that `--help` does not load numpy or h5py
        from vmtkscripts_numpy import storage

        if self.Format and self.Format not in storage.FORMATS:
            self.PrintError(f"unknown Format {self.Format!r}; use one of {', '.join(storage.FORMATS)}")
        self.PrintLog(f"Reading {self.Format or 'numpy'} file {self.InputFileName}.")
        self.ArrayDict = storage.read(self.InputFileName, format=self.Format or None)
        self.Output = self.ArrayDict


if __name__ == "__main__":
    sys.exit(pypes.cli.main())
