"""Webhooks: signed event delivery with retries and a delivery log."""
