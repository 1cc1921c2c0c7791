"""Server-rendered pages of ``kg serve`` and ``kg atelier``: one Jinja2 environment, one base template.

Every page extends ``templates/base.html``: French first (``lang`` is ``"fr"`` or ``"en"``), its style
and scripts from ``/static`` only (the CSP of :mod:`kg.serve.headers` allows no inline script or style),
nothing fetched from elsewhere. Jinja2 escapes every value (``autoescape``): data never reaches the page
as markup.

>>> page_lang("fr-FR,fr;q=0.9,en;q=0.8", None)
'fr'
>>> page_lang("en-GB,en;q=0.9", None), page_lang("en-GB", "fr"), page_lang(None, "xx")
('en', 'fr', 'fr')
>>> "&lt;script&gt;" in render("base.html", lang="fr", title="<script>")
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["LANGS", "TEMPLATE_DIR", "page_lang", "render"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: the languages of the pages, the first the default
LANGS = ("fr", "en")


def page_lang(accept_language: str | None, asked: str | None) -> str:
    """The language of a page: ``?lang=`` when it is one of :data:`LANGS`, else the first of the
    ``Accept-Language`` header's that is, else French."""
    if asked in LANGS:
        return str(asked)
    if asked:
        return LANGS[0]
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag.strip().lower()[:2]))
    for _q, _i, tag in sorted(ranked):
        if tag in LANGS:
            return tag
    return LANGS[0]


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["tr"] = lambda lang, fr, en: fr if lang == "fr" else en
    from kg.model.words import kind_word

    env.filters["kind_word"] = kind_word  # {{ r.kind|kind_word(lang) }}: « acteur », « programme »…
    return env


def render(template: str, *, lang: str = "fr", **context: Any) -> str:
    """The page *template* (a path under ``templates/``) filled with *context*, every value escaped."""
    context.setdefault("title", "Territorial KG")
    context.setdefault("nav", [])
    context.setdefault("alternates", [])
    return str(_environment().get_template(template).render(lang=lang, **context))
