"""Cases: creation from any channel, routing, the status lifecycle, merges, notes and the SLA outcome."""
