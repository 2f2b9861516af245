"""The engine's exception."""


class PypeError(RuntimeError):
    """A script or a pipe cannot run as asked: bad options, bad piping, unknown scripts.

    It subclasses :class:`RuntimeError`, the exception vmtk's own PypeS raises,
    so code written against vmtk catches it unchanged.
    """
