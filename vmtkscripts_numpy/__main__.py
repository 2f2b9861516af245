"""``python -m vmtkscripts_numpy ...`` runs a pipe, as the ``vmtknumpy`` command does."""

import sys

from vmtkscripts_numpy.pypes.cli import main

sys.exit(main(["vmtknumpy"] + sys.argv[1:]))
