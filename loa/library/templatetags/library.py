"""{{ text|cite_links }}: text with every cited document linked to its library entry.

Wherever Loa shows text (plans, dispatches, activities), this filter finds the citations;
a known document links to its page, an unknown one to a form already filled from the citation.
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from loa.library.queries import citations_in

register = template.Library()


def new_document_url(citation) -> str:
    from loa.library.models import TYPE_BY_VIETNAMESE_NAME

    params = {"code": citation.code, "issuer": citation.issuer or ""}
    if citation.type in TYPE_BY_VIETNAMESE_NAME:
        params["doc_type"] = TYPE_BY_VIETNAMESE_NAME[citation.type]
    if citation.date:
        year, month, day = citation.date.split("-")
        params["issued_on"] = f"{day}/{month}/{year}"
    return reverse("library:create") + "?" + urlencode(params)


@register.filter
def cite_links(text, can_add=True):
    """`can_add`: offer unknown documents for adding (editors); else just mark them."""
    text = str(text or "")
    pieces, cursor = [], 0
    for citation, document in citations_in(text):
        pieces.append(escape(text[cursor : citation.start]))
        cited = text[citation.start : citation.end]
        if document is not None:
            pieces.append(
                format_html(
                    '<a class="loa-citation" href="{}" title="{}">{}</a>',
                    reverse("library:detail", args=[document.pk]),
                    document.title,
                    cited,
                )
            )
        elif can_add:
            pieces.append(
                format_html(
                    '<a class="loa-citation loa-citation-unknown" href="{}" title="{}">{}</a>',
                    new_document_url(citation),
                    _("Not in the library yet: add it"),
                    cited,
                )
            )
        else:
            pieces.append(
                format_html(
                    '<span class="loa-citation-unknown" title="{}">{}</span>',
                    _("not in the library"),
                    cited,
                )
            )
        cursor = citation.end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(str(p) for p in pieces))  # noqa: S308 - every piece escaped
