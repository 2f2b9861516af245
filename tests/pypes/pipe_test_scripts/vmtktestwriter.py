"""Writes an object as JSON (the default writer of vmtktestsource's Surface)."""

import json

from vmtkscripts_numpy import pypes


class vmtkTestWriter(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.OutputFileName = ""
        self.Surface = None
        self.Input = None
        self.SetScriptName("vmtktestwriter")
        self.SetInputMembers([
            ["Surface", "i", "vtkPolyData", 1, "", "the object to write", "vmtktestreader"],
            ["OutputFileName", "ofile", "str", 1, "", "output file name"],
        ])

    def Execute(self):
        if self.Surface is None:
            self.Surface = self.Input
        with open(self.OutputFileName, "w", encoding="utf-8") as stream:
            json.dump(self.Surface, stream)
