"""A script base class written as vmtk's is, not derived from the engine's: its scripts are another package's."""

import sys

from vmtkscripts_numpy.pypes.member import pypeMember


class pypeScript:
    def __init__(self):
        self.ScriptName = ""
        self.ScriptDoc = ""
        self.Arguments = []
        self.Id = "0"
        self.Self = self
        self.Disabled = 0
        self.ExitOnError = 1
        self.LogOn = 1
        self.InputStream = sys.stdin
        self.OutputStream = sys.stdout
        builtins = [pypeMember("Id", "id", "str", 1), pypeMember("Self", "handle", "self", 1),
                    pypeMember("Disabled", "disabled", "bool", 1)]
        for member in builtins:
            member.AutoPipe = 0
        self.InputMembers = list(builtins)
        self.OutputMembers = builtins[:2]

    def SetScriptName(self, name):
        self.ScriptName = name

    def SetScriptDoc(self, doc):
        self.ScriptDoc = doc

    def SetInputMembers(self, members):
        self.InputMembers += [pypeMember(*member) for member in members]

    def SetOutputMembers(self, members):
        self.OutputMembers += [pypeMember(*member) for member in members]

    def GetUsageString(self):
        return self.ScriptName + " : " + self.ScriptDoc + "\n  Input arguments:\n   -number Number (float,1)\n"

    def GetScriptDocString(self):
        return self.ScriptDoc

    def PrintLog(self, message, indent=0):
        if self.LogOn:
            self.OutputStream.write("    " * indent + message + "\n")

    def OutputText(self, text):
        self.OutputStream.write(text)

    def PrintError(self, errorMessage):
        # vmtk's way: print the message (usage text included), then exit or raise RuntimeError.
        self.OutputStream.write(errorMessage + "\n")
        if self.ExitOnError:
            sys.exit()
        raise RuntimeError(errorMessage)

    def ParseArguments(self):
        raise AssertionError("the engine parses every script's arguments itself")

    def PrintInputMembers(self):
        pass

    def PrintOutputMembers(self):
        pass

    def IORead(self):
        pass

    def IOWrite(self):
        pass

    def Execute(self):
        pass

    def Deallocate(self):
        pass
