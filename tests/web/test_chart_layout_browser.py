"""Every chart of every page at 1280x800 and 390x844: titled, axes labelled, and nothing clipped
(the title, its subtitle and the axis titles lie inside the drawing, the title above the plot area,
the axis titles clear of the tick labels)."""

from __future__ import annotations

import pytest

from tests.web.conftest import SIZES
from tests.web.test_costs_browser import load

pytestmark = pytest.mark.browser

#: Pages with charts and what shows their content is complete.
PAGES = {
    "/": "#scorecard-result .result",
    "/scorecard": "#scorecard-children",
    "/costs": "#diagnostics article.diagnostic",
    "/budgets": "#budget-tree",
    "/staffing": "#staffing-result .result",
    "/balance": "#balance-net-value",
}

#: For every drawn chart: its title and axis titles, and whatever of them sticks out of the figure.
LAYOUT = """() => [...document.querySelectorAll('.js-plotly-plot')].map(el => {
    const svg = el.querySelector('svg.main-svg').getBoundingClientRect();
    const box = n => n ? n.getBoundingClientRect() : null;
    const title = el.querySelector('.gtitle');
    const plot = el.querySelector('.draglayer .nsewdrag') || el.querySelector('.draglayer .xy');
    const problems = [];
    const inside = (name, node) => {
        const b = box(node);
        if (!b || (b.width === 0 && b.height === 0)) return;
        if (b.top < svg.top - 0.5 || b.bottom > svg.bottom + 0.5 || b.left < svg.left - 0.5
            || b.right > svg.right + 0.5) {
            problems.push(`${name} outside the figure: ${JSON.stringify([b.top, b.bottom, b.left, b.right])}`
                          + ` vs ${JSON.stringify([svg.top, svg.bottom, svg.left, svg.right])}`);
        }
    };
    inside('title', title);
    for (const cls of ['xtitle', 'ytitle', 'y2title']) inside(cls, el.querySelector('.' + cls));
    const hits = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const axes = [['ytitle', '.yaxislayer-above .ytick text'], ['xtitle', '.xaxislayer-above .xtick text']];
    for (const [name, ticks] of axes) {
        const t = box(el.querySelector('.' + name));
        if (!t) continue;
        const over = [...el.querySelectorAll(ticks)].filter(n => hits(t, box(n))).map(n => n.textContent);
        if (over.length) problems.push(`${name} overlaps tick labels ${JSON.stringify(over)}`);
    }
    if (title && plot && box(title).bottom > box(plot).top + 1) {
        problems.push(`title overlaps the plot area (${box(title).bottom} > ${box(plot).top})`);
    }
    const layout = el.layout || {};
    const axis = k => layout[k] && layout[k].title && layout[k].title.text;
    return {id: el.id, spark: !!el.closest('figure.spark'), title: title ? title.textContent : null,
            x: axis('xaxis'), y: axis('yaxis'), problems};
})"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("path", list(PAGES))
def test_every_chart_is_titled_labelled_and_not_clipped(live_server, open_page, path, size):
    watched = open_page(size)
    page = load(watched, live_server + path, PAGES[path])
    found = page.evaluate(LAYOUT)
    assert found, f"{path}: no chart drawn"
    for chart in found:
        if chart["spark"]:  # a tile's sparkline: the tile carries the title, the figure its meta
            continue
        assert chart["title"] and chart["x"] and chart["y"], chart
        assert chart["problems"] == [], (path, size, chart)
    assert watched.problems == []


@pytest.mark.parametrize("path", list(PAGES))
def test_every_number_column_and_figure_links_to_its_definition_on_a_phone(live_server, open_page, path):
    watched = open_page("phone")
    page = load(watched, live_server + path, PAGES[path])
    bare = page.evaluate("""() => [...document.querySelectorAll('thead th.n, dl.facts dt, .tile .label')]
        .filter(t => !(t.matches('a.def, a.label') || t.querySelector('a.def, a.label')))
        .map(t => t.innerText)""")
    assert bare == [], (path, bare)
    anchors = page.evaluate("""() => [...new Set([...document.querySelectorAll('a.def, .tile a.label')]
        .map(a => a.getAttribute('href')))]""")
    definitions = page.request.get(live_server + "/definitions").text()
    for href in anchors:
        target, _, anchor = href.partition("#")
        if not target:  # a definition on the page itself
            assert page.locator(f"[id='{anchor}']").count() == 1, (path, href)
        elif target == "/definitions":
            assert f'id="{anchor}"' in definitions, (path, href)
    assert watched.problems == []  # no console error at phone width
