"""Accounts: users, passwords, sessions, API tokens, e-mail verification and resets."""
