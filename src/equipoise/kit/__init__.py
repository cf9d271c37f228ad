"""Small shared helpers (errors, clock, money)."""
