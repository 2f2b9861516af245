"""A numpy script that a second package has too: this one must win."""

from vmtkscripts_numpy import pypes


class vmtkTestNumpySink(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Number = None
        self.Report = ""
        self.SetScriptName("vmtktestnumpysink")
        self.SetInputMembers([["Number", "number", "float", 1, "", "a number"]])
        self.SetOutputMembers([["Report", "report", "str", 1, "", "who reported"]])

    def Execute(self):
        self.Report = f"test scripts: {self.Number}"
