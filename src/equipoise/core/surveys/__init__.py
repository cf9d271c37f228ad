"""Surveys sent through signed, expiring links; one answer per link; response rates."""
