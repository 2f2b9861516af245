"""A script whose name this package's test scripts also use: the package's must win."""

from vmtkscripts_numpy import pypes


class vmtkTestSink(pypes.pypeScript):
    def Execute(self):
        raise AssertionError("vmtk's vmtktestsink must not be picked before the package's own")
