"""A stand-in for an installed vmtk: one script, found only under ``vmtk.``."""
