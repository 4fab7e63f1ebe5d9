"""The rows of the heavy tables, rendered by Jinja2 (issue 23).

Django's template engine costs a node per tag and per variable of each row: a loan page's
schedule and its Livret A projection are a few hundred cells, and their loops were the largest
part of the page's rendering. Measured on the same rows and the same markup (160 rows): Django's
`{% for %}` 7.9 ms, `format_html` per row 3.1 ms, Jinja2 0.97 ms (it compiles a template to
Python). So the rows of those tables are Jinja2 templates in `templates/rows/`, and the page's
Django template stays the page: `{% rows "schedule.jinja" items=page.schedule %}` writes them.

The engine is Django's own Jinja2 backend (`TEMPLATES`, `NAME: rows`), autoescaping on, with the
service's number formats as filters. A row template sees only what the tag passes: no request,
no context processors, no CSRF token (a row holds no form).
"""

from __future__ import annotations

from typing import Any

from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from espace.core import formats

ENGINE = "rows"


def environment(**options: Any) -> Environment:
    """The Jinja2 environment of the `rows` engine (TEMPLATES' `environment` option)."""
    options.pop("autoescape", None)  # always on: the rows print the establishments' own texts
    env = Environment(autoescape=True, **options)
    env.filters.update(
        euros=formats.euros,
        percent=formats.percent,
        percent_points=formats.percent_points,
    )
    return env


def rows_render(name: str, **context: Any) -> SafeString:
    """The rows of `templates/rows/<name>`, escaped by Jinja2 (so safe in a Django page)."""
    # The backend's Template wraps Jinja2's; its own render() would add the request's context.
    template: Any = engines[ENGINE].get_template(name)
    return mark_safe(str(template.template.render(context)))  # noqa: S308 - Jinja2 autoescapes
