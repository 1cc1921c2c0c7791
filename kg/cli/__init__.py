"""The ``kg`` command: each command parses its options, calls one library function and prints.

Nothing in the library imports from here.
"""

from kg.cli.commands import app, main, run

__all__ = ["app", "main", "run"]
