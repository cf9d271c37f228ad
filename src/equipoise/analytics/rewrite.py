"""Expression rewrites that let one aggregation query answer many metric requests.

* :func:`restrict` turns a reduction over a filtered table into the same reduction over the whole
  table with a per-aggregate condition, so metrics under different filters share one scan.
* :func:`columns_read` tells which columns of a fact an expression reads, so the fact view can
  join only the lookups that provide them.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

_INT = ibis.dtype("int64")

def restrict(expr: ir.Value, cond: ir.BooleanValue) -> ir.Value:
    """``expr`` with every reduction limited to the rows where ``cond`` holds.

    The result equals ``expr`` evaluated on ``table.filter(cond)``, including on no rows (counts
    0, other reductions null). Reductions inside window functions are refused: a window sees
    rows outside the filter.
    """
    node = expr.op()
    if node.find(ops.WindowFunction, filter=ops.Value):
        raise ValueError("restrict: expressions with window functions cannot be restricted")
    c = cond.op()

    def visit(op: ops.Node, kwargs: dict | None) -> ops.Node:
        op = op.__recreate__(kwargs) if kwargs else op
        if not isinstance(op, ops.Reduction):
            return op
        if "where" not in op.__argnames__:
            raise ValueError(f"restrict: reduction {type(op).__name__} takes no condition")
        where = c if op.where is None else ops.And(op.where, c)
        if isinstance(op, ops.CountStar):
            # COUNT of a 1-or-null column: 0 on no rows on every backend (a conditional
            # COUNT(*) compiles to SUM on some, which is null there).
            if where.shape.is_scalar():  # a constant condition keeps all rows or none
                keep = ops.IfElse(where, ops.Literal(1, _INT), ops.Literal(0, _INT))
                return ops.Multiply(op.copy(where=None), keep)
            return ops.Count(ops.IfElse(where, ops.Literal(1, _INT), ops.Literal(None, _INT)))
        return op.copy(where=where)

    return node.replace(visit, filter=ops.Value).to_expr()


def columns_read(exprs: Iterable[ir.Value], table: ir.Table) -> frozenset[str] | None:
    """Names of ``table``'s columns that ``exprs`` read; None when they read another relation."""
    rel = table.op()
    out: set[str] = set()
    for e in exprs:
        for field in e.op().find(ops.Field, filter=ops.Value):
            if field.rel != rel:
                return None
            out.add(field.name)
    return frozenset(out)


def any_of(conds: list[ir.BooleanValue]) -> ir.BooleanValue:
    """The disjunction of ``conds`` (at least one)."""
    if not conds:
        raise ValueError("conds: expected at least one condition")
    out = conds[0]
    for c in conds[1:]:
        out = out | c
    return out
