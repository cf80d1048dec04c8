"""Samdrift: run a shared ICT organisation of several municipalities."""

__version__ = "0.1.0"
