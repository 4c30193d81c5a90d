"""The people around the papers: profiles and avatars (authors, follows and notifications next)."""
