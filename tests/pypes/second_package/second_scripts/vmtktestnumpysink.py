"""A numpy script the test scripts have too: theirs must win, so this one must never run."""

from vmtkscripts_numpy import pypes


class vmtkTestNumpySink(pypes.pypeScript):
    def Execute(self):
        raise AssertionError("the second package's numpy script must not be picked before the first's")
