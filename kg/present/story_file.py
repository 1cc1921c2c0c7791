"""A story written by hand in YAML, read into the steps of :mod:`kg.present.story` (:func:`read_story`, which
:func:`kg.present.story.load_story` calls): names resolved in the projection, quotes checked against the
graph's sources, every problem located (file, line of the step, field) and said in French."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import InputError, Problem, UnknownEntityError
from kg.network.attributes import sources_of
from kg.present.story_words import STORY_UI, relation_sentence, source_of, story_data, story_lang, year_of

__all__ = ["read_story"]

_KEYS = {
    "steps": ("etapes", "steps"),
    "title": ("titre", "title"),
    "nodes": ("noeuds", "nœuds", "nodes"),
    "edges": ("liens", "edges", "links"),
    "sentence": ("phrase", "sentence"),
    "source": ("source",),
    "year": ("annee", "année", "year"),
    "document": ("document",),
    "quote": ("citation", "quote"),
}
_FIELDS = {k for ks in _KEYS.values() for k in ks}


def _get(d: dict[str, Any], key: str) -> Any:
    return next((d[k] for k in _KEYS[key] if k in d), None)


def read_story(
    path: str | Path,
    G: nx.MultiDiGraph,
    *,
    lang: str = "fr",
    docs: dict | None = None,
) -> dict[str, Any]:
    """A story written in YAML: ``titre`` and ``etapes`` (or ``title`` and ``steps``), each step with
    ``noeuds`` (names or IRIs), ``liens`` (pairs of names or IRIs), ``phrase`` and ``source``
    (``document``: its id or title, ``citation``: a sentence the graph quotes from it), ``annee``
    optional. A step without ``source`` takes its first link's (else first node's) source from the data,
    and without ``phrase`` its first link's own words. A ``citation`` must be one the graph holds:
    a story never shows words no document says.

    Raises
    ------
    InputError
        With every problem at once (in French), each naming the file, the step's line and the field.
    """
    import yaml

    from kg.network.lookup import resolve

    lang = story_lang(lang)
    file = str(path)
    p = Path(path)
    problems: list[Problem] = []

    def bad(line: int | None, fld: str | None, message: str, fix: str) -> None:
        problems.append(Problem(file, line, fld, message, fix, lang="fr"))

    summary = f"{file} : histoire invalide ; rien n'a été écrit"
    try:
        text = p.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    file, None, None, f"fichier illisible ({exc.strerror})", "vérifiez le chemin", lang="fr"
                )
            ],
            summary,
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Problem(
                    file,
                    mark.line + 1 if mark else None,
                    None,
                    f"YAML invalide : {getattr(exc, 'problem', exc)}",
                    "corrigez la syntaxe (indentation, deux-points, tirets des listes)",
                    lang="fr",
                )
            ],
            summary,
        ) from exc
    steps_data = _get(data, "steps") if isinstance(data, dict) else None
    if not isinstance(steps_data, list) or not steps_data:
        bad(
            1,
            "etapes",
            "aucune liste d'étapes",
            "écrivez « etapes: » suivi d'une liste « - noeuds: [...] » avec « phrase » et « source »",
        )
        raise InputError(problems, summary)
    # line of each step, from the YAML node tree
    lines: list[int | None] = [None] * len(steps_data)
    if root is not None and isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value in _KEYS["steps"] and isinstance(v, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in v.value]
    quotes: dict[str, set[str]] = defaultdict(set)  # document id → the quotes the graph holds
    for _, d in G.nodes(data=True):
        for doc, q in sources_of(d.get("sources")):
            quotes[str(doc).rsplit("/", 1)[-1]].add(str(q))
    for _, _, d in G.edges(data=True):
        for doc, q in sources_of(d.get("sources")):
            quotes[str(doc).rsplit("/", 1)[-1]].add(str(q))
    by_title = {m.get("title", ""): iri.rsplit("/", 1)[-1] for iri, m in (docs or {}).items()}
    by_id = {iri.rsplit("/", 1)[-1]: iri for iri in (docs or {})}

    def node(name: Any, line: int | None, fld: str, i: int) -> str | None:
        try:
            return resolve(G, str(name), kinds=None)
        except UnknownEntityError as exc:
            near = f" ; vouliez-vous dire « {exc.suggestions[0]} » ?" if exc.suggestions else ""
            bad(
                line,
                fld,
                f"étape {i} : « {name} » n'est pas dans le graphe{near}",
                "écrivez le nom exact ou l'IRI du nœud",
            )
            return None

    steps: list[dict[str, Any]] = []
    for i, raw in enumerate(steps_data, 1):
        line = lines[i - 1]
        if not isinstance(raw, dict):
            bad(
                line,
                None,
                f"l'étape {i} n'est pas un dictionnaire",
                "écrivez « - noeuds: [...] » et « phrase: ... »",
            )
            continue
        for k in raw:
            if k not in _FIELDS:
                bad(
                    line,
                    str(k),
                    f"étape {i} : champ inconnu « {k} »",
                    "utilisez noeuds, liens, phrase, source, annee",
                )
        before = len(problems)
        names = _get(raw, "nodes") or []
        links = _get(raw, "edges") or []
        if not isinstance(names, list) or not isinstance(links, list):
            bad(line, "noeuds", f"étape {i} : « noeuds » et « liens » sont des listes", "écrivez [A, B]")
            continue
        ns = [node(n, line, "noeuds", i) for n in names]
        es: list[list[str]] = []
        for link in links:
            if not isinstance(link, list) or len(link) != 2:
                bad(line, "liens", f"étape {i} : le lien {link!r} n'est pas une paire", "écrivez [A, B]")
                continue
            a, b = (node(x, line, "liens", i) for x in link)
            if a and b:
                if not (G.has_edge(a, b) or G.has_edge(b, a)):
                    bad(
                        line,
                        "liens",
                        f"étape {i} : aucun lien entre « {link[0]} » et « {link[1]} » dans le graphe",
                        "choisissez deux nœuds reliés (kg chains A B les montre)",
                    )
                    continue
                es.append([a, b])
        if not ns and not es and len(problems) == before:  # not when its names were already reported
            bad(line, "noeuds", f"étape {i} : ni nœud ni lien à montrer", "donnez au moins un nœud")
        found = [n for n in ns if n] + [x for e in es for x in e]
        focus = list(dict.fromkeys(found))
        rels: list[Any] = []
        for a, b in es:
            for u, v in ((a, b), (b, a)):
                if G.has_edge(u, v):
                    rels += [dict(d, a=u, b=v) for d in G.get_edge_data(u, v).values()]
        sentence = _get(raw, "sentence")
        src_raw = _get(raw, "source")
        source = None
        if src_raw is not None:
            doc = _get(src_raw, "document") if isinstance(src_raw, dict) else src_raw
            quote = _get(src_raw, "quote") if isinstance(src_raw, dict) else None
            doc_id = by_title.get(str(doc), str(doc).rsplit("/", 1)[-1])
            if doc_id not in quotes and doc_id not in by_id:
                bad(
                    line,
                    "source",
                    f"étape {i} : document « {doc} » inconnu",
                    "donnez l'identifiant ou le titre d'un document source",
                )
            elif quote is None:
                bad(
                    line,
                    "source",
                    f"étape {i} : la source n'a pas de « citation »",
                    "recopiez une phrase citée du document",
                )
            elif str(quote).strip() not in quotes.get(doc_id, set()):
                bad(
                    line,
                    "citation",
                    f"étape {i} : la citation « {str(quote)[:60]} » n'est pas une phrase que le graphe cite de « {doc} »",
                    "recopiez une phrase citée telle quelle (kg query sources-of -p node=... les liste)",
                )
            else:
                source = source_of([(by_id.get(doc_id, doc_id), str(quote).strip())], docs)
        else:
            srcs = [s for r in rels for s in sources_of(r.get("sources"))]
            srcs += [s for n in focus for s in sources_of(G.nodes[n].get("sources"))]
            source = source_of(srcs, docs)
        if not sentence and rels:
            sentence = relation_sentence(G, rels[0], lang)
        if not sentence and focus:  # the names of what it shows: nothing said that the data does not say
            sentence = ", ".join(str(G.nodes[n].get("label") or n) for n in focus)
        year = _get(raw, "year")
        if year is not None and year_of(year) is None:
            bad(
                line,
                "annee",
                f"étape {i} : « {year} » n'est pas une année",
                "écrivez une année sur 4 chiffres, ex. 2014",
            )
        steps.append(
            {
                "title": str(_get(raw, "title") or f"{STORY_UI[lang]['step']} {i}"),
                "sentence": str(sentence or ""),
                "source": source,
                "nodes": focus,
                "edges": es,
                **({"year": year_of(year)} if year is not None else {}),
            }
        )
    if problems:
        raise InputError(problems, summary)
    return story_data(str(_get(data, "title") or p.stem), steps, lang, years=any("year" in s for s in steps))
