"""A script only the second package has, written on a vmtk-like base class."""

from second_scripts import _vmtklike


class vmtkDoubler(_vmtklike.pypeScript):
    def __init__(self):
        _vmtklike.pypeScript.__init__(self)
        self.Number = None
        self.SetScriptName("vmtkdoubler")
        self.SetScriptDoc("double a number")
        self.SetInputMembers([["Number", "number", "float", 1, "(,100)", "a number"]])
        self.SetOutputMembers([["Number", "number", "float", 1, "", "twice the number"]])

    def Execute(self):
        if self.Number is None:
            self.PrintError(self.GetUsageString() + "\nError: no Number.\n")
        if self.Number < 0:
            raise RuntimeError("negative numbers are not doubled")
        self.Number = 2 * self.Number
