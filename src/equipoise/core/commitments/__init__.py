"""Commitments made to customers: due, owner, kept or broken, overdue."""
