"""Reads an object stored as JSON (the default reader of vmtktestsink's Surface)."""

import json

from vmtkscripts_numpy import pypes


class vmtkTestReader(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.InputFileName = ""
        self.Surface = None
        self.Output = None
        self.Count = 0
        self.SetScriptName("vmtktestreader")
        self.SetInputMembers([["InputFileName", "ifile", "str", 1, "", "input file name"]])
        self.SetOutputMembers([
            ["Surface", "o", "vtkPolyData", 1, "", "the object read"],
            ["Count", "count", "int", 1, "", "the object's count, read along with it"],
        ])

    def Execute(self):
        with open(self.InputFileName, encoding="utf-8") as stream:
            self.Surface = json.load(stream)
        self.Output = self.Surface
        self.Count = self.Surface["count"]
