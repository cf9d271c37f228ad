"""Importers: contacts, cases, call detail records, event logs and helpdesk exports (see ``service``)."""
