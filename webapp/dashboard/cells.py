"""The figure cells of an overview row, built as one string (the agency table has 25 rows of
six links each; a Jinja macro per row cost more than the page's whole grouped count)."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup, escape

from models.tasks.periods import Category, CategoryCounts
from webapp.templating import percent


def figure_cells(counts: CategoryCounts, drill: str, args: dict) -> Markup:
    """Total, the five categories (each a link to its tasks) and the two rates, as <td>s."""
    base = escape(drill)
    query = escape(urlencode(args))
    out = [f'<td class="num"><a href="{base}?{query}">{counts.total}</a></td>']
    for c in Category:
        value = getattr(counts, c.value)
        warn = " warn" if c is Category.OVERDUE and value else ""
        out.append(f'<td class="num cat-{c.value}{warn}"><a href="{base}?category={c.value}'
                   f'&amp;{query}">{value}</a></td>')
    out.append(f'<td class="num rate">{escape(percent(counts.completion_rate))}</td>')
    out.append(f'<td class="num rate">{escape(percent(counts.on_time_rate))}</td>')
    return Markup("".join(out))
