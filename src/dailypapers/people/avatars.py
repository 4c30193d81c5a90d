"""Generated avatars: a user's initials on a colour of their own, as a small SVG.

No external service: unless the user uploads one (avatar_upload.py), the picture follows
from the username (the colour) and the display name (the letters), so it is the same on
every page and server.
Only letters and digits reach the SVG, escaped as well.
"""

from __future__ import annotations

import hashlib
from html import escape

from dailypapers.models import User

SIZE = 96


def initials(name: str) -> str:
    """Up to two initials (letters or digits) of a name: "Ada Lovelace" → "AL"."""
    words = ["".join(c for c in word if c.isalnum()) for word in name.split()]
    letters = [word[0] for word in words if word]
    if len(letters) >= 2:
        return (letters[0] + letters[-1]).upper()
    return (letters[0] if letters else "?").upper()


def hue(username: str) -> int:
    return int(hashlib.sha256(username.encode()).hexdigest()[:4], 16) % 360


def avatar_svg(user: User) -> str:
    """The user's avatar (an SVG document)."""
    letters = escape(initials(user.display_name or user.username))
    shade = hue(user.username)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{letters}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{SIZE // 2}" fill="hsl({shade} 55% 42%)"/>'
        f'<text x="50%" y="50%" dy=".35em" text-anchor="middle" fill="#fff" '
        f'font-family="system-ui,-apple-system,Segoe UI,sans-serif" font-size="{SIZE * 2 // 5}" '
        f'font-weight="600">{letters}</text></svg>'
    )


def avatar_path(user: User) -> str:
    """The avatar's URL: the uploaded file (named by its hash: cached forever), or the
    generated initials."""
    if user.avatar_file:
        return f"/avatars/{user.username}/{user.avatar_file}"
    return f"/avatars/{user.username}.svg"
