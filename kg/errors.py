"""Errors of the knowledge-graph layer.

    KgError               base of everything kg raises for the user to act on
    ├── BuildError        no build, or a build folder that is incomplete or corrupted
    ├── NotFound          no concept with that id or label
    └── BadQuery          a query or parameter that cannot be answered as given

The CLI turns each into a one-line message; the API maps them to 4xx statuses.
"""

from __future__ import annotations


class KgError(Exception):
    """Base class for errors the user can act on."""


class BuildError(KgError):
    """The build folder is missing, incomplete or corrupted."""


class NotFound(KgError):
    """No concept matches."""


class BadQuery(KgError):
    """A query or parameter that cannot be answered as given."""
