"""The SLA engine: business-time maths (pure), policy matching, and the outcome stored on cases."""
