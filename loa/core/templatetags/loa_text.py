"""Template filters for Vietnamese text: search-term highlighting, money."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from loa.core.text import fold_keep_length, format_vnd, search_words

register = template.Library()


def highlight_html(text: str, query: str, *, around: int | None = None) -> str:
    """`text` escaped, with every word that starts with a search word in <mark>.

    Matching ignores diacritics and đ/d, so "day manh" marks "đẩy mạnh". With `around`,
    only a snippet of that many characters each side of the first match is returned.
    """
    words = search_words(query)
    if not text:
        return ""
    if not words:
        return escape(text[: around * 2] if around else text)
    folded = fold_keep_length(text)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")\w*")
    spans = [m.span() for m in pattern.finditer(folded)]
    start, end = 0, len(text)
    if around is not None:
        if not spans:
            return escape(text[: around * 2]) + ("…" if len(text) > around * 2 else "")
        start = max(0, spans[0][0] - around)
        end = min(len(text), spans[0][1] + around)
    pieces, cursor = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        pieces.append(escape(text[cursor:s]))
        pieces.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    pieces.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(pieces) + suffix


@register.filter
def highlight(text, query):
    return mark_safe(highlight_html(str(text or ""), str(query or "")))  # noqa: S308 - escaped above


@register.filter
def snippet(text, query):
    return mark_safe(  # noqa: S308 - escaped in highlight_html
        highlight_html(str(text or ""), str(query or ""), around=120)
    )


@register.filter
def vnd(amount):
    return format_vnd(amount)
