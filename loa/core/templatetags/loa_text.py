"""Template filters for Vietnamese text: search-term highlighting, money."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from loa.core.text import accent_insensitive, format_vnd, search_words

register = template.Library()


def highlight_html(text: str, query: str, *, around: int | None = None) -> str:
    """`text` escaped, with every word that starts with a search word in <mark>.

    Matching ignores diacritics and đ/d, so "day manh" marks "đẩy mạnh". With `around`,
    only a snippet of that many characters each side of the first match is returned.
    The patterns run on the original text, so a long attachment costs a regex scan only.
    """
    if not text:
        return ""
    words = search_words(query)
    if not words:
        return escape(text[: around * 2] if around else text)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(accent_insensitive(w) for w in words) + r")\w*", re.IGNORECASE
    )
    start, end = 0, len(text)
    if around is not None:
        first = pattern.search(text)
        if first is None:
            return escape(text[: around * 2]) + ("…" if len(text) > around * 2 else "")
        start, end = max(0, first.start() - around), min(len(text), first.end() + around)
        # Cut at spaces, not inside a word.
        if start > 0 and (space := text.find(" ", start, first.start())) != -1:
            start = space + 1
        if end < len(text) and (space := text.rfind(" ", first.end(), end)) != -1:
            end = space
    pieces, cursor = [], start
    for match in pattern.finditer(text, start, end):
        pieces.append(escape(text[cursor : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        cursor = match.end()
    pieces.append(escape(text[cursor:end]))
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")


@register.filter
def highlight(text, query):
    return mark_safe(highlight_html(str(text or ""), str(query or "")))  # noqa: S308 - escaped above


@register.filter
def snippet(text, query):
    return mark_safe(  # noqa: S308 - escaped in highlight_html
        highlight_html(str(text or ""), str(query or ""), around=120)
    )


@register.filter
def isodate(value):
    """ "2022-12-30" (as the citation finder gives dates) shown as 30/12/2022."""
    if not value:
        return ""
    year, month, day = str(value).split("-")
    return f"{day}/{month}/{year}"


@register.filter
def vnd(amount):
    return format_vnd(amount)
