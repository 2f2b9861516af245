"""A script that only 'vmtk' has: doubles a number."""

from vmtkscripts_numpy import pypes


class vmtkFromVmtk(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Number = None
        self.SetScriptName("vmtkfromvmtk")
        self.SetScriptDoc("double a number")
        self.SetInputMembers([["Number", "number", "float", 1, "", "a number"]])
        self.SetOutputMembers([["Number", "number", "float", 1, "", "twice the number"]])

    def Execute(self):
        self.Number = 2 * self.Number
