"""A sink script: takes an object and a number, reports them."""

from vmtkscripts_numpy import pypes


class vmtkTestSink(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Surface = None
        self.Number = None
        self.Label = ""
        self.Count = 0
        self.Report = ""
        self.SetScriptName("vmtktestsink")
        self.SetScriptDoc("report what was piped in")
        self.SetInputMembers([
            ["Surface", "i", "vtkPolyData", 1, "", "the input object", "vmtktestreader"],
            ["Number", "number", "float", 1, "", "a number"],
            ["Label", "label", "str", 1, "", "a label"],
            ["Count", "count", "int", 1, "", "a count"],
        ])
        self.SetOutputMembers([["Report", "report", "str", 1, "", "what came in"]])

    def Execute(self):
        if self.Surface is None:
            self.PrintError("no input object")
        self.Report = f"{self.Surface['made by']}:{self.Number}:{self.Label}"
