"""Reads for the library: search with filters, and matching citations to library entries."""

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Substr

from loa.core.models import User
from loa.library import search
from loa.library.citations import Citation, find_citations
from loa.library.models import Attachment, Document
from loa.library.services import code_key, issuer_key


def documents_for_list(
    user: User,
    *,
    query: str = "",
    doc_type: str = "",
    issuer: str = "",
    year: int | None = None,
    subject_id: int | None = None,
) -> QuerySet[Document]:
    # Snippets come from the start of each attachment: enough to show why it matched
    # without moving megabytes of text for every result.
    excerpts = Attachment.objects.annotate(excerpt=Substr("text", 1, 30_000)).only(
        "id", "document_id"
    )
    documents = Document.objects.select_related("replaced_by").prefetch_related(
        "subjects", Prefetch("attachments", queryset=excerpts)
    )
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if issuer:
        documents = documents.filter(issuer_key__contains=issuer_key(issuer))
    if year:
        documents = documents.filter(issued_year=year)
    if subject_id:
        documents = documents.filter(subjects__id=subject_id)
    return search.search(documents, query)


def years_in_library() -> list[int]:
    years = Document.objects.exclude(issued_year=None).values_list("issued_year", flat=True)
    return [y for y in years.distinct().order_by("-issued_year") if y is not None]


def match_citations(citations: list[Citation]) -> list[Document | None]:
    """For each citation, the library entry it names, or None. One query for all of them.

    Numbers restart every year, so "01/KH-UBND" names many documents: a citation's date
    must give the same year and its issuer (as written, e.g. "UBND tỉnh") must agree with
    the entry's; a citation still matching several entries is left unlinked.
    """
    keys = {code_key(c.code) for c in citations}
    candidates: dict[str, list[Document]] = {}
    for document in Document.objects.filter(code_key__in=keys):
        candidates.setdefault(document.code_key, []).append(document)
    matches: list[Document | None] = []
    for citation in citations:
        found = candidates.get(code_key(citation.code), [])
        if citation.date:
            year = int(citation.date[:4])
            found = [d for d in found if d.issued_year in (year, None)]
        if citation.issuer:
            written = issuer_key(citation.issuer)
            found = [d for d in found if written in d.issuer_key or d.issuer_key in written]
        matches.append(found[0] if len(found) == 1 else None)
    return matches


def citations_in(text: str) -> list[tuple[Citation, Document | None]]:
    citations = find_citations(text)
    return list(zip(citations, match_citations(citations), strict=True))


def documents_cited_by(document: Document) -> list[tuple[Citation, Document | None]]:
    """What this document cites, in its abstract and attachments, each once."""
    text = "\n".join([document.title, *(a.text for a in document.attachments.all())])
    seen, cited = set(), []
    for citation, match in citations_in(text):
        key = code_key(citation.code)
        if key in seen or (match is not None and match.pk == document.pk):
            continue
        seen.add(key)
        cited.append((citation, match))
    return cited
