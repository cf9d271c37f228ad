"""Eager aggregation: aggregate a fact per customer first, then join the (large) customers lookup.

Slicing contacts by tier joins every contact to the customers table and then counts distinct
customers per tier. Aggregating per customer first and joining the much smaller result gives
the same numbers: every reduction is split into partial aggregates per customer (phase 1) and a
combination of the partials per slice (phase 2). Only reductions that split exactly are
accepted; :func:`split` returns None otherwise and the caller keeps the plain query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

_INT = ibis.dtype("int64")


@dataclass(frozen=True)
class Split:
    """Phase-1 partial aggregates and a builder of the phase-2 aggregates over the partials."""

    partials: dict[str, ir.Scalar]
    finals: Callable[[ir.Table], dict[str, ir.Scalar]]


def _partials(node: ops.Reduction, customer: ops.Field, name: str) -> dict[str, ops.Value] | None:
    """Partial aggregates for one reduction (None when it does not split per customer)."""
    if isinstance(node, (ops.Sum, ops.Count, ops.Min, ops.Max)):
        return {name: node}
    if isinstance(node, ops.Mean) and node.arg.dtype.is_numeric():
        return {name: ops.Sum(node.arg, node.where), f"{name}_n": ops.Count(node.arg, node.where)}
    if isinstance(node, ops.CountDistinct) and node.arg == customer:
        return {name: ops.Count(node.arg, node.where)}
    return None


def _final(node: ops.Reduction, q: ir.Table, name: str) -> ir.Scalar:
    """The phase-2 aggregate of ``node`` over the partial columns of ``q``."""
    if isinstance(node, (ops.Sum, ops.Count)):
        return q[name].sum()
    if isinstance(node, ops.Min):
        return q[name].min()
    if isinstance(node, ops.Max):
        return q[name].max()
    if isinstance(node, ops.Mean):
        return q[name].sum().cast("float64") / q[f"{name}_n"].sum().cast("float64").nullif(0.0)
    # CountDistinct of the customer: each customer is one phase-1 row of a slice.
    return ibis.ifelse(q[name] > 0, ibis.literal(1, _INT), ibis.null(_INT)).count()


def split(aggs: Mapping[str, ir.Scalar], customer: ir.Column) -> Split | None:
    """Split ``aggs`` (scalar expressions over one table) into per-customer partials and finals."""
    cust = customer.op()
    found: dict[ops.Reduction, str] = {}
    partials: dict[str, ir.Scalar] = {}
    for expr in aggs.values():
        for node in expr.op().find(ops.Reduction, filter=ops.Value):
            if node in found:
                continue
            name = f"_p{len(found)}"
            parts = _partials(node, cust, name)
            if parts is None:
                return None
            found[node] = name
            partials.update({k: v.to_expr() for k, v in parts.items()})
    if not found:
        return None

    def finals(q: ir.Table) -> dict[str, ir.Scalar]:
        mapping = {node: _final(node, q, name).op() for node, name in found.items()}
        return {alias: expr.op().replace(mapping, filter=ops.Value).to_expr()
                for alias, expr in aggs.items()}

    return Split(partials, finals)
