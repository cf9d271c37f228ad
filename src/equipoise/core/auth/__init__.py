"""Users, roles, password sign-in, browser sessions and API tokens."""
