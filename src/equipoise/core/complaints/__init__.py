"""Complaints: flag and severity, root cause, corrective action, re-survey, recovery."""
