"""Installed as the package ``synthcheck.weights`` (see setup.py) so that the weight files here
ship as package data and ``importlib.resources`` finds them in editable and regular installs."""
