"""Plotly figures as plain dicts, built on the server and drawn by the served plotly.min.js.

Every chart has a title and labelled axes whose titles carry the unit ("Cost (USD)"); hover
labels repeat the unit with thousands separators. Templates embed a figure with the ``chart``
macro (templates/_macros.html) and static/app.js calls ``Plotly.newPlot`` on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

#: Plotly config for every chart: no Plotly logo in the mode bar, resize with the container.
CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True,
                          "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
#: A restrained palette (colour-blind safe order).
COLOURS = ("#1f6f8b", "#e07b39", "#5a9e4b", "#8c5fa8", "#c4453c", "#7a8794")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
#: Extra top margin for each further line of a title ("Title<br><sup>subtitle</sup>"), px.
TITLE_LINE = 22
_FONT = {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12, "color": "#1d2733"}


def _clean(values: Iterable[Any]) -> list[Any]:
    """JSON-safe values: NaN and infinities become null (a gap in the line)."""
    out = []
    for v in values:
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out.append(v)
    return out


def _required(name: str, text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{name}: expected a non-empty title, got {text!r}")
    return text


def axis_title(label: str, unit: str | None) -> str:
    """``label (unit)``, the form of every axis title."""
    _required("label", label)
    return f"{label} ({unit})" if unit else label


def hover_format(unit: str | None, digits: int) -> str:
    """A Plotly hover number format with thousands separators and the unit."""
    fmt = f"%{{y:,.{digits}f}}"
    if unit in _SYMBOLS:
        return f"{_SYMBOLS[unit]}{fmt}"
    if unit == "%":
        return f"{fmt}%"
    return f"{fmt} {unit}" if unit else fmt


def wrap_label(text: str, width: int = 10) -> str:
    """Break a category label into lines of about ``width`` characters (Plotly ``<br>``)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def bar(x: Sequence[Any], y: Sequence[Any], name: str, *, unit: str | None = None,
        digits: int = 0, colour: int = 0, yaxis: str = "y") -> dict[str, Any]:
    """A bar trace with a unit-aware hover label."""
    return {"type": "bar", "x": _clean(x), "y": _clean(y), "name": _required("name", name),
            "marker": {"color": COLOURS[colour % len(COLOURS)]}, "yaxis": yaxis,
            "hovertemplate": f"%{{x}}<br>{name}: {hover_format(unit, digits)}<extra></extra>"}


def line(x: Sequence[Any], y: Sequence[Any], name: str, *, unit: str | None = None,
         digits: int = 0, colour: int = 0, yaxis: str = "y", dash: str | None = None,
         shape: str = "linear", markers: bool = False) -> dict[str, Any]:
    """A line trace (``shape='hv'`` for a step line) with a unit-aware hover label."""
    trace: dict[str, Any] = {
        "type": "scatter", "mode": "lines+markers" if markers else "lines", "x": _clean(x),
        "y": _clean(y), "name": _required("name", name), "yaxis": yaxis,
        "line": {"color": COLOURS[colour % len(COLOURS)], "width": 2, "shape": shape},
        "hovertemplate": f"%{{x}}<br>{name}: {hover_format(unit, digits)}<extra></extra>"}
    if dash:
        trace["line"]["dash"] = dash
    return trace


def figure(title: str, traces: Sequence[dict[str, Any]], *, x_title: str, y_title: str,
           y2_title: str | None = None, height: int = 340, x_type: str | None = None,
           y_range: Sequence[float] | None = None, y2_range: Sequence[float] | None = None,
           y_from_zero: bool = True, x_format: str | None = None,
           y_dtick: float | None = None) -> dict[str, Any]:
    """A titled figure with labelled axes (and a right-hand axis when ``y2_title`` is given)."""
    if not traces:
        raise ValueError("traces: expected at least one trace")
    xaxis: dict[str, Any] = {"title": {"text": _required("x_title", x_title)}, "automargin": True,
                             "gridcolor": "#eef2f6"}
    if x_type:
        xaxis["type"] = x_type
    if x_format:
        xaxis["tickformat"] = x_format
    yaxis: dict[str, Any] = {"title": {"text": _required("y_title", y_title)}, "automargin": True,
                             "tickformat": ",", "rangemode": "tozero" if y_from_zero else "normal",
                             "gridcolor": "#eef2f6"}
    if y_range is not None:
        yaxis["range"] = list(y_range)
    if y_dtick is not None:
        yaxis["dtick"] = y_dtick
    legend = len(traces) > 1
    layout: dict[str, Any] = {
        "title": {"text": _required("title", title), "x": 0.01, "xanchor": "left", "xref": "container",
                  "y": 1, "yref": "container", "yanchor": "top",
                  # Plotly sets a title's later lines below its first and lifts the block by them
                  "pad": {"t": 8 + TITLE_LINE * title.count("<br>")},
                  "font": {"size": 15}},
        "xaxis": xaxis, "yaxis": yaxis, "height": height, "autosize": True,
        "margin": {"l": 10, "r": 10, "t": (64 if legend else 40) + TITLE_LINE * title.count("<br>"), "b": 10},
        "font": _FONT,
        "separators": ".,", "paper_bgcolor": "#fff", "plot_bgcolor": "#fff",
        "showlegend": legend,
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.01, "yanchor": "bottom"},
        "hovermode": "closest", "barmode": "group",
    }
    if y2_title is not None:
        layout["yaxis2"] = {"title": {"text": _required("y2_title", y2_title)}, "overlaying": "y",
                            "side": "right", "automargin": True, "tickformat": ",",
                            "tickmode": "auto", "rangemode": "tozero", "showgrid": False}
        if y2_range is not None:
            layout["yaxis2"]["range"] = list(y2_range)
    return {"data": list(traces), "layout": layout, "config": CONFIG}


def sparkline(x: Sequence[Any], y: Sequence[Any], name: str, *, unit: str | None,
              digits: int = 0, target: Sequence[Any] | None = None) -> dict[str, Any]:
    """A tiny trend line for a KPI tile: no axes drawn; the hover label names month and unit.

    ``target`` (one value per month, None where there is none) adds a dotted target line with
    open-circle markers, so the trend reads against it.

    The tile around it carries the title and the unit; the figure keeps them as ``meta`` for
    screen readers and tests.
    """
    trace = line(x, y, name, unit=unit, digits=digits, markers=True)
    trace["marker"] = {"size": 4, "color": COLOURS[0]}
    traces = [trace]
    if target is not None:
        if len(target) != len(x):
            raise ValueError(f"target: expected {len(x)} monthly values, got {len(target)}")
        goal = line(x, target, "Target", unit=unit, digits=digits, colour=4, dash="dot", markers=True)
        goal["line"]["width"] = 1.5
        goal["marker"] = {"size": 5, "symbol": "circle-open", "color": COLOURS[4]}
        traces.append(goal)
    hidden = {"visible": False, "fixedrange": True}
    layout = {"height": 56, "margin": {"l": 2, "r": 2, "t": 4, "b": 4}, "showlegend": False,
              "xaxis": {**hidden, "title": {"text": "Month"}},
              "yaxis": {**hidden, "title": {"text": axis_title(name, unit)}},
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
              "hovermode": "closest", "separators": ".,", "font": _FONT,
              "meta": {"title": f"{name} by month"}}
    return {"data": traces, "layout": layout,
            "config": {**CONFIG, "displayModeBar": False, "staticPlot": False}}
