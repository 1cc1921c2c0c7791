"""The quads of the catalysts' imports kept under ``<data>/imports/``, as ``kg build`` maps them again."""

from __future__ import annotations

from pathlib import Path

__all__ = ["imported_quads"]


def imported_quads(data_dir: str | Path = "data", *, curated=None, on_record=None) -> list:
    """The quads of every import stored under ``<data_dir>/imports/``, each in its own named graph.

    ``kg build`` adds them to the curated quads so a rebuild keeps the imports; they are
    mapped by :func:`kg.rdf.mapping.import_quads`, as ``kg import`` maps them.

    Parameters
    ----------
    data_dir : path
        The data folder.
    curated : Curated, optional
        The curated records already loaded (default: loaded from ``<data_dir>/curated``).

    Returns
    -------
    list of pyoxigraph.Quad

    Raises
    ------
    InputError
        When a stored import cannot be read or cites a record that is no longer there.
    """
    from kg.ingest.curated import load_curated
    from kg.ingest.imports import check_references, default_schemes_file, load_imports, record_kinds
    from kg.rdf.mapping import import_quads

    data_dir = Path(data_dir)
    imports = load_imports(data_dir)
    if not imports:
        return []
    if curated is None:
        curated = load_curated(
            data_dir / "curated",
            sources_dir=data_dir / "sources",
            schemes_file=default_schemes_file(data_dir),
        )
    kinds = record_kinds(curated, imports.values())
    check_references(imports, kinds)
    base = [(k, r) for k, r in curated.all() if k != "document"]
    out: list = []
    for imp in imports.values():
        quads, meta_quads = import_quads(imp, kinds, base)
        for kind, rec in imp.all() if on_record is not None else ():
            on_record(kind, rec, kinds)
        out += quads + meta_quads
    return out
