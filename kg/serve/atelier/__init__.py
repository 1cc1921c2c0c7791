"""``kg atelier``: the catalysts' workspace in the browser (home, import, history and undo, explore).

- :mod:`kg.serve.atelier.app`: the application (:func:`create_atelier_app`: the public ``kg serve``
  application with the workspace's routes in front) and :func:`serve_atelier`;
- :mod:`kg.serve.atelier.work`: what the pages show and do, as plain data, by the library's calls;
- :mod:`kg.serve.atelier.guard`: host, token and CSRF checks;
- :mod:`kg.serve.atelier.uploads`: upload limits, zip bombs and XML entities refused.
"""

from kg.serve.atelier.app import create_atelier_app, serve_atelier
from kg.serve.atelier.guard import view_csp

__all__ = ["create_atelier_app", "serve_atelier", "view_csp"]
