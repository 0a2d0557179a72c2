"""Errors that mean "the user asked for something wrong". The CLI prints them as one line."""

from __future__ import annotations


class VlmbotError(Exception):
    """Base class for errors vlmbot reports to the user without a traceback."""


class InputError(VlmbotError, ValueError):
    """Bad user input: wrong shapes, malformed files, unknown names, empty text."""


class MissingDependencyError(VlmbotError, ImportError):
    """An optional dependency is not installed; the message gives the install command."""


class ModelNotAvailableError(VlmbotError):
    """Weights cannot be found offline; the message says how to make them available."""
