"""The rows engine (espace.core.rows): Jinja2 rows inside Django pages, escaped once."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils.safestring import SafeString

from espace.core import page_cache
from espace.core.formats import euros
from espace.core.rows import rows_render
from espace.portfolio.projections import Projection
from espace.portfolio.selectors import ScheduleCells


def _row(number: int, state: str, text: str = "1 000,00 €") -> ScheduleCells:
    return ScheduleCells(number, "01/02/2027", "3,00 %", text, text, text, text, state)


def test_schedule_rows_mark_the_next_instalment_and_escape_what_they_print():
    html = rows_render(
        "schedule.jinja", items=[_row(1, "paid"), _row(2, "next", "<script>x</script>"), _row(3, "coming")]
    )
    assert isinstance(html, SafeString)
    assert html.count("<tr") == 3 and html.count('aria-current="true"') == 1
    assert '<tr class="table-warning" aria-current="true"><td data-label="N°">2</td>' in html
    assert ">payée<" in html and "<strong>prochaine échéance</strong>" in html and ">à venir<" in html
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_the_tag_writes_the_rows_into_a_django_page_unescaped_once():
    page = Template('<tbody>{% rows "schedule.jinja" items=items %}</tbody>').render(
        Context({"items": [_row(7, "coming", "a & b")]})
    )
    assert page.startswith('<tbody><tr><td data-label="N°">7</td>')
    assert "a &amp; b" in page and "&amp;amp;" not in page and "&lt;tr" not in page


def test_projection_rows_format_amounts_with_the_services_filters():
    projection = Projection(
        labels=["Stable", "+1 point"],
        years=[2027, 2028],
        amounts={2027: [Decimal("1234.5"), Decimal("2000")], 2028: [Decimal("10"), Decimal("0")]},
        totals=[Decimal("1244.5"), Decimal("2000")],
        lines=1,
        skipped=[],
    )
    html = rows_render("projection.jinja", projection=projection)
    first = euros(Decimal("1234.5"))
    assert (
        f'<tr><th scope="row" data-label="Année">2027</th><td class="ep-num" data-label="Stable">{first}</td>' in html
    )
    assert html.count('<th scope="row" data-label="Année">') == 2
    assert '<tfoot><tr><th scope="row">Total</th><td class="ep-num" data-label="Stable">' in html
    assert f'data-label="+1 point">{euros(Decimal("2000"))}</td>' in html


def test_a_changed_row_template_is_another_release_of_the_cached_pages(tmp_path, settings):
    """The page cache's release digest reads the row templates too: a deployment that changes a
    row never serves the pages rendered with the one before."""
    (tmp_path / "espace").mkdir()
    (tmp_path / "espace" / "views.py").write_text("x = 1\n")
    (tmp_path / "templates" / "rows").mkdir(parents=True)
    (tmp_path / "templates" / "page.html").write_text("<p>page</p>")
    row = tmp_path / "templates" / "rows" / "schedule.jinja"
    row.write_text("<tr><td>{{ row.number }}</td></tr>")
    settings.BASE_DIR, settings.STATIC_ROOT = tmp_path, tmp_path / "static"
    before = page_cache._release.__wrapped__()
    assert page_cache._release.__wrapped__() == before
    row.write_text('<tr><td data-label="N°">{{ row.number }}</td></tr>')
    assert page_cache._release.__wrapped__() != before
