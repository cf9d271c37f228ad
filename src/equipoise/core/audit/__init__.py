"""The audit log of every change: who, what, when, before and after."""
