"""The worker: recurring jobs on a cron schedule, each scheduled run claimed exactly once."""
