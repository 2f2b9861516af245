"""A second script package, set up by the tests in the place vmtk takes when it is installed."""
