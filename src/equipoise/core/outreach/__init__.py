"""Reminders, the outbox and the SMTP sender."""
