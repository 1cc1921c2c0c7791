"""The project's errors: one small hierarchy, each mapped to a CLI exit code.

::

    KGError                      exit 1   base of everything the library raises on purpose
    ├── InputError               exit 3   bad input files; carries every Problem found at once
    │   └── ShapeViolation       exit 5   the graph does not conform to ontology/shapes.ttl
    ├── UnknownEntityError       exit 4   an actor, query or territory that is not there (with suggestions)
    │   └── TerritoryError       exit 4   a territory reference that is malformed or not in the geography
    ├── QueryError               exit 6   a SPARQL query that is malformed or refused
    ├── StoreError               exit 7   no store where one was expected, or a store that cannot be written
    │   └── EndpointError        exit 9   a SPARQL or Graph Store server that cannot be reached, refuses or fails
    └── ExportError              exit 8   an export that cannot be written

Messages name the value, where it was, and the fix. Library code raises; only the CLI prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "EndpointError",
    "ExportError",
    "InputError",
    "KGError",
    "Problem",
    "QueryError",
    "ShapeViolation",
    "StoreError",
    "TerritoryError",
    "UnknownEntityError",
]


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file, said in English (default) or French (``lang="fr"``).

    >>> print(Problem("data/actors.yaml", 14, "siren", '"21940018" has 8 digits; a SIREN has 9 digits',
    ...               "copy the 9 digits from the official register"))
    data/actors.yaml, line 14, field "siren": "21940018" has 8 digits; a SIREN has 9 digits — fix: copy the 9 digits from the official register
    >>> print(Problem("x.csv, feuille acteurs", 3, "nom", "« A » : doublon probable", "fusionnez", "row", "fr"))
    x.csv, feuille acteurs, ligne 3, colonne « nom » : « A » : doublon probable — correction : fusionnez
    """

    file: str
    line: int | None
    field: str | None
    message: str
    fix: str | None = None
    where: str = "line"  # "line", or "row" for spreadsheets and CSV
    lang: str = "en"  # the language of the message and fix, and so of the words around them

    def text(self, lang: str | None = None) -> str:
        """The problem as one line, with its connecting words in *lang* (default: its own)."""
        fr = (lang or self.lang) == "fr"
        parts = [self.file]
        if self.line is not None:
            parts.append(f"{'ligne' if fr else self.where} {self.line}")
        if self.field:
            word = "column" if self.where == "row" else "field"  # a spreadsheet has columns
            parts.append(f"colonne « {self.field} »" if fr else f'{word} "{self.field}"')
        text = ", ".join(parts) + (f" : {self.message}" if fr else f": {self.message}")
        if self.fix:
            text += f" — correction : {self.fix}" if fr else f" — fix: {self.fix}"
        return text

    def __str__(self) -> str:
        return self.text()


class KGError(Exception):
    """Base class of the errors Territorial KG raises on purpose."""

    exit_code = 1


class InputError(KGError):
    """Bad input: carries every :class:`Problem` found, so they can be fixed at once."""

    exit_code = 3

    def __init__(self, problems: Iterable[Problem] | str, summary: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, None, None, summary or "invalid input")]
            summary = None
        self.problems: Sequence[Problem] = list(problems)
        n = len(self.problems)
        self.summary = summary or f"{n} problem{'s' if n != 1 else ''} in the input; nothing was written"
        super().__init__(self.summary + "\n" + "\n".join(f"  - {p}" for p in self.problems))


class ShapeViolation(InputError):
    """The graph does not conform to the SHACL shapes (each result is a Problem)."""

    exit_code = 5


class UnknownEntityError(KGError, LookupError):
    """A name or IRI that is not in the graph; ``suggestions`` holds the closest candidates."""

    exit_code = 4

    def __init__(self, message: str, suggestions: Sequence[str] = ()):
        self.suggestions = list(suggestions)
        super().__init__(message)


class TerritoryError(UnknownEntityError, ValueError):
    """A territory reference that is malformed (not ``level:code``) or not in the official geography.

    A :class:`ValueError` too, so pydantic validators report it as a validation error.
    """


class QueryError(KGError, ValueError):
    """A SPARQL query that is malformed, has a missing parameter, or is refused."""

    exit_code = 6


class StoreError(KGError):
    """The store is missing, locked or cannot be written."""

    exit_code = 7


class EndpointError(StoreError):
    """A remote server (``--endpoint``, ``kg build --to``) that cannot be reached, wants credentials,
    refuses a request, fails, or cuts an answer that cannot be paged; the message names the URL and the fix."""

    exit_code = 9


class ExportError(KGError):
    """An export that cannot be written."""

    exit_code = 8
