"""E-mail digests: subscriptions with double opt-in, periods, content, and the outbox sender."""
