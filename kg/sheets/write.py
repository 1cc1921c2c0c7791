"""Writing workbooks: the template (``kg template``) and the export's workbook, with the
drop-down lists of the SKOS schemes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.sheets.cells import formula_like
from kg.sheets.layout import (
    EXAMPLE_ID_PREFIX,
    LISTS_SHEET,
    README_SHEET,
    SHEET_RELATION_KINDS,
    SHEETS,
    TEMPLATE_ROWS,
    Concepts,
    load_concepts,
)

__all__ = ["write_template", "write_workbook"]

# --------------------------------------------------------------------------- writing


def write_workbook(
    path: str | Path,
    rows: dict[str, list[dict[str, Any]]],
    concepts: Concepts,
    *,
    extra_readme: list[tuple[str, str]] = (),  # type: ignore[assignment]
    template_rows: int = TEMPLATE_ROWS,
) -> Path:
    """Write a workbook of the shape of :data:`SHEETS`, with drop-down lists and a read-me sheet.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file to write.
    rows : dict
        Sheet key → list of rows, each a dict column key → cell value (strings, numbers,
        lists for the ``multi`` columns, which are written ``a | b``).
    concepts : Concepts
        The SKOS labels of the drop-down lists.
    extra_readme : list of (str, str)
        More lines of the read-me sheet (e.g. the import a workbook was exported from).
    template_rows : int
        How many rows carry the lists and the text format.

    Returns
    -------
    Path
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    readme: Any = wb.active
    readme.title = README_SHEET
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    id_fill = PatternFill("solid", fgColor="EEEEEE")
    lists = wb.create_sheet(LISTS_SHEET)
    list_ranges: dict[str, str] = {}
    for i, (scheme, items) in enumerate(sorted(concepts.labels.items()), 1):
        letter = get_column_letter(i)
        lists.cell(1, i, scheme).font = bold
        if scheme == "relation-kind":
            items = [x for x in items if x[0] in SHEET_RELATION_KINDS]
        for j, (_, label) in enumerate(items, 2):
            lists.cell(j, i, label)
        list_ranges[scheme] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(items) + 1}"
    lists.sheet_state = "hidden"
    for s in SHEETS:
        ws = wb.create_sheet(s.name, index=wb.sheetnames.index(LISTS_SHEET))
        for j, c in enumerate(s.columns, 1):
            cell = ws.cell(1, j, c.header)
            cell.font, cell.fill = bold, (id_fill if c.key == "id" else head_fill)
            ws.column_dimensions[get_column_letter(j)].width = max(
                12, min(40, len(c.header) + 6, len(c.example) + 4)
            )
        ws.freeze_panes = "A2"
        data = rows.get(s.key, [])
        for i, row in enumerate(data, 2):
            for j, c in enumerate(s.columns, 1):
                v = row.get(c.key)
                if isinstance(v, (list, tuple)):
                    v = " | ".join(str(x) for x in v) if v else None
                if v is None or v == "":
                    continue
                cell = ws.cell(i, j, v)
                if formula_like(v):  # a name such as "=HYPERLINK(…)" stays text, never a live formula
                    cell.data_type, cell.quotePrefix = "s", True
                if c.text and isinstance(v, str):
                    cell.number_format = "@"
        last = max(template_rows, len(data) + 1, 2)  # an empty sheet still offers its lists on row 2
        for j, c in enumerate(s.columns, 1):
            letter = get_column_letter(j)
            if c.text and len(data) < template_rows:
                for i in range(len(data) + 2, template_rows + 1):
                    ws.cell(i, j).number_format = "@"
            if c.scheme and c.scheme in list_ranges:
                dv = DataValidation(type="list", formula1=f"={list_ranges[c.scheme]}", allow_blank=True)
                if c.multi:  # "a | b" is allowed: a warning, not a refusal
                    dv.errorStyle = "information"
                    dv.error = "Plusieurs valeurs ? Séparez-les par « | »."
                else:
                    dv.error = "Choisissez une valeur de la liste."
                dv.errorTitle = c.header
                dv.promptTitle, dv.prompt = c.header[:32], c.help[:250]
                dv.showInputMessage = True
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
    # read-me
    readme.column_dimensions["A"].width = 22
    readme.column_dimensions["B"].width = 22
    readme.column_dimensions["C"].width = 100
    lines: list[tuple[str, str, str]] = [
        ("Territorial KG", "", "Classeur pour cartographier l'écosystème de votre territoire."),
        (
            "",
            "",
            (
                "Remplissez une ligne par acteur, relation, programme, partenaire, financement ou source, "
                "puis : kg import ce-fichier.xlsx (ajoutez --dry-run pour voir d'abord ce qui changerait)."
            ),
        ),
        (
            "",
            "",
            (
                "Les listes déroulantes viennent des listes contrôlées du graphe (feuille cachée Listes). "
                "Plusieurs valeurs dans une cellule : séparez-les par « | »."
            ),
        ),
        ("", "", "Dates : jj/mm/aaaa, mm/aaaa ou aaaa. Montants : en euros, virgule décimale acceptée."),
        (
            "",
            "",
            f"Les lignes d'exemple (id commençant par « {EXAMPLE_ID_PREFIX} ») sont ignorées à l'import.",
        ),
        (
            "",
            "",
            (
                "Acteurs, programmes : nommez-les comme dans le graphe (ou par leur id) pour les relier aux "
                "acteurs déjà connus, par exemple « Le RAMEAU »."
            ),
        ),
        (
            "",
            "",
            (
                "Colonnes Kumu acceptées : Label, Type, Description, Tags (feuille Elements) ; From, To, Type "
                "(feuille Connections)."
            ),
        ),
    ]
    lines += [(k, "", v) for k, v in extra_readme]
    r = 1
    for a, b, c_ in lines:
        readme.cell(r, 1, a).font = bold
        readme.cell(r, 2, b)
        readme.cell(r, 3, c_).alignment = Alignment(wrap_text=True)
        r += 1
    r += 1
    for col, text in enumerate(("feuille", "colonne", "ce qu'on y met"), 1):
        readme.cell(r, col, text).font = bold
    for s in SHEETS:
        r += 1
        readme.cell(r, 1, s.name).font = bold
        readme.cell(r, 3, s.help)
        for c in s.columns:
            r += 1
            readme.cell(r, 2, c.header + (" *" if c.required else ""))
            extra = f" Autres noms acceptés : {', '.join(c.aliases)}." if c.aliases else ""
            readme.cell(r, 3, c.help + extra).alignment = Alignment(wrap_text=True)
    r += 2
    readme.cell(r, 1, "* colonne obligatoire").font = Font(italic=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _example_rows(concepts: Concepts) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for s in SHEETS:
        row: dict[str, Any] = {c.key: c.example for c in s.columns if c.example}
        row["id"] = f"{EXAMPLE_ID_PREFIX}-{s.key}"
        out[s.key] = [row]
    out["actors"][0]["themes"] = [
        concepts.label("theme", "entrepreneuriat"),
        concepts.label("theme", "developpement-economique"),
    ]
    return out


def write_template(path: str | Path, schemes_file: str | Path = "ontology/schemes.ttl") -> Path:
    """Write the empty workbook catalysts fill in: one example row per sheet, lists, a read-me sheet.

    Examples
    --------
    >>> write_template(tmp / "territoire.xlsx")  # doctest: +SKIP
    PosixPath('.../territoire.xlsx')
    """
    concepts = load_concepts(schemes_file)
    return write_workbook(path, _example_rows(concepts), concepts)
