"""Comment Markdown → safe HTML: CommonMark without raw HTML, then sanitised by nh3.

Math ($…$, $$…$$) is kept out of Markdown's hands (no emphasis made of a_b … c_d) and
arrives as text in <span class="math inline"> / <div class="math block">, which the page
renders with the vendored KaTeX (math.js).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .disable("image")
    .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
)
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
