"""Equipoise: customer service run so that cost stays under control while satisfaction holds."""

__version__ = "0.1.0"
