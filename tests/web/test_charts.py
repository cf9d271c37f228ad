"""Chart helper: titled figures, labelled axes with units, JSON-safe data, no Plotly logo."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from equipoise.interfaces.web import charts


def test_figure_has_title_axes_units_and_config():
    fig = charts.figure("Cost by channel", [charts.bar(["a", "b"], [1.5, 2.0], "Cost", unit="USD")],
                        x_title="Channel", y_title=charts.axis_title("Cost", "USD"))
    layout = fig["layout"]
    assert layout["title"]["text"] == "Cost by channel"
    assert layout["xaxis"]["title"]["text"] == "Channel"
    assert layout["yaxis"]["title"]["text"] == "Cost (USD)"
    assert layout["yaxis"]["tickformat"] == ","  # thousands separators on the axis
    assert fig["config"]["displaylogo"] is False
    assert "$%{y:,.0f}" in fig["data"][0]["hovertemplate"]
    json.dumps(fig, allow_nan=False)


def test_secondary_axis_and_single_trace_legend():
    two = charts.figure("t", [charts.bar([1], [1], "A"), charts.line([1], [2], "B", yaxis="y2")],
                        x_title="x", y_title="y", y2_title="z (%)", y2_range=[0, 100])
    assert two["layout"]["yaxis2"]["overlaying"] == "y" and two["layout"]["showlegend"] is True
    assert two["layout"]["yaxis2"]["range"] == [0, 100]
    one = charts.figure("t", [charts.bar([1], [1], "A")], x_title="x", y_title="y")
    assert one["layout"]["showlegend"] is False and "yaxis2" not in one["layout"]


def test_non_finite_values_become_gaps():
    trace = charts.line(np.arange(3), np.array([1.0, math.nan, math.inf]), "L")
    assert trace["x"] == [0, 1, 2] and trace["y"] == [1.0, None, None]
    assert all(type(v) is int for v in trace["x"])  # numpy scalars converted


@pytest.mark.parametrize("kwargs, field", [
    ({"x_title": "", "y_title": "y"}, "x_title"),
    ({"x_title": "x", "y_title": " "}, "y_title"),
    ({"x_title": "x", "y_title": "y", "y2_title": ""}, "y2_title"),
])
def test_titles_are_required(kwargs, field):
    with pytest.raises(ValueError, match=field):
        charts.figure("t", [charts.bar([1], [1], "A")], **kwargs)
    with pytest.raises(ValueError, match="title"):
        charts.figure("", [charts.bar([1], [1], "A")], x_title="x", y_title="y")
    with pytest.raises(ValueError, match="traces"):
        charts.figure("t", [], x_title="x", y_title="y")


def test_sparkline_keeps_its_unit_and_hides_the_mode_bar():
    fig = charts.sparkline(["2026-01", "2026-02"], [1.0, 2.0], "CSAT", unit="%", digits=1)
    assert fig["layout"]["yaxis"]["title"]["text"] == "CSAT (%)"
    assert fig["config"]["displayModeBar"] is False and fig["config"]["displaylogo"] is False
    assert "%{y:,.1f}%" in fig["data"][0]["hovertemplate"]


def test_wrap_label():
    assert charts.wrap_label("IVR (automated voice)") == "IVR<br>(automated<br>voice)"
    assert charts.wrap_label("Email") == "Email"


def test_sparkline_target_line_follows_the_months():
    from equipoise.interfaces.web.charts import sparkline

    fig = sparkline(["2026-01", "2026-02"], [1.0, 2.0], "Cost", unit="USD", target=[1.5, None])
    goal = fig["data"][1]
    assert goal["name"] == "Target" and goal["y"] == [1.5, None] and goal["line"]["dash"] == "dot"
    assert len(sparkline(["2026-01"], [1.0], "Cost", unit="USD")["data"]) == 1
    with pytest.raises(ValueError, match="target: expected 2 monthly values"):
        sparkline(["2026-01", "2026-02"], [1.0, 2.0], "Cost", unit="USD", target=[1.0])
