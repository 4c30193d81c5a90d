"""Comment Markdown → safe HTML: CommonMark without raw HTML, then sanitised by nh3.

An @username becomes a link to that profile. Math ($…$, $$…$$) is kept out of Markdown's
hands (no emphasis made of a_b … c_d) and arrives as text in <span class="math inline"> /
<div class="math block">, which the page renders with the vendored KaTeX (math.js).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin

from dailypapers.people.notifications import MENTION_AT

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .disable("image")
    .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
)


def _mention(state: StateInline, silent: bool) -> bool:
    """@username → a link to the profile (as the notifications read it: not in an address)."""
    start = state.pos
    before = state.src[start - 1] if start > 0 else " "
    if state.src[start] != "@" or before.isalnum() or before in "_@/.-":
        return False
    if getattr(state, "linkLevel", 0) > 0:  # inside a link's text: no link in a link
        return False
    found = MENTION_AT.match(state.src, start)
    if found is None:
        return False
    if not silent:
        link = state.push("link_open", "a", 1)
        link.attrs = {"href": f"/users/{found.group(1)}"}
        state.push("text", "", 0).content = found.group(0)
        state.push("link_close", "a", -1)
    state.pos = found.end()
    return True


_md.inline.ruler.before("emphasis", "mention", _mention)
ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
    "span",
    "div",
}
ALLOWED_CLASSES = {"span": {"math", "inline"}, "div": {"math", "block"}}
MAX_COMMENT_CHARS = 10_000


def render_markdown(text: str) -> str:
    """Sanitised HTML for a comment; links get rel=nofollow and only http(s)/mailto."""
    html = _md.render(text)
    # Headings inside a comment must not outrank the page's own.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )
