"""Community actions: upvotes, comments, submissions to the daily feed, moderation."""
