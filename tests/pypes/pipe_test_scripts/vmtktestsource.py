"""A source script with one member of every kind the engine parses."""

from vmtkscripts_numpy import pypes


class vmtkTestSource(pypes.pypeScript):
    def __init__(self):
        pypes.pypeScript.__init__(self)
        self.Value = 1.5
        self.Count = 3
        self.Mode = "a"
        self.Flag = 0
        self.Values = []
        self.Triple = [0, 0, 0]
        self.Switch = 0
        self.Label = "source"
        self.Surface = None
        self.Number = None
        self.SetScriptName("vmtktestsource")
        self.SetScriptDoc("make a small object and a number")
        self.SetInputMembers([
            ["Value", "value", "float", 1, "(0,)", "a positive number"],
            ["Count", "count", "int", 1, "(0,10)", "how many points"],
            ["Mode", "mode", "str", 1, '["a","b"]', "a mode"],
            ["Flag", "flag", "bool", 0, "", "a flag"],
            ["Values", "values", "float", -1, "", "any number of values"],
            ["Triple", "triple", "int", 3, "", "three integers"],
            ["Switch", "switch", "bool", 1, "", "a 0/1 switch"],
            ["Label", "label", "str", 1, "", "a label"],
        ])
        self.SetOutputMembers([
            ["Surface", "o", "vtkPolyData", 1, "", "the output object", "vmtktestwriter"],
            ["Number", "number", "float", 1, "", "Value times Count"],
        ])

    def Execute(self):
        self.Surface = {"made by": self.Label, "count": self.Count}
        self.Number = self.Value * self.Count
