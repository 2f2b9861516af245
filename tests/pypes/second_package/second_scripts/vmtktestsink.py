"""A script the test scripts have too, under a name that is not a numpy script's: this one must win."""

from vmtkscripts_numpy import pypes


class vmtkTestSink(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Surface = None
        self.Report = ""
        self.SetScriptName("vmtktestsink")
        self.SetInputMembers([["Surface", "i", "vtkPolyData", 1, "", "the input object"]])
        self.SetOutputMembers([["Report", "report", "str", 1, "", "who reported"]])

    def Execute(self):
        self.Report = "second package"
