"""Full-text search over the library: PostgreSQL's text search with unaccent, or SQLite FTS5.

Both fold diacritics and đ→d: PostgreSQL through the `loa_vi` configuration (unaccent),
SQLite because Loa indexes and queries text it has folded itself. The head (type, number and
symbol, issuer, abstract) weighs more than the body (the attachments' text).
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from loa.core.text import fold, search_words
from loa.library.models import Document

CONFIG = "loa_vi"
MAX_HITS = 1000


def head_text(document: Document) -> str:
    return " ".join(
        part
        for part in (
            document.type_name,
            document.code,
            document.code.replace("/", " ").replace("-", " "),
            document.issuer,
            document.title,
            " ".join(s.name for s in document.subjects.all()),
        )
        if part
    )


def body_text(document: Document) -> str:
    return "\n".join(a.text for a in document.attachments.all() if a.text)


def index_document(document: Document) -> None:
    """Write the document's entry in the search index. Called by the services on change."""
    head, body = head_text(document), body_text(document)
    if connection.vendor == "postgresql":
        Document.objects.filter(pk=document.pk).update(
            search_vector=SearchVector(Value(head), weight="A", config=CONFIG)
            + SearchVector(Value(body), weight="C", config=CONFIG)
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_document_fts WHERE rowid = %s", [document.pk])
            cursor.execute(
                "INSERT INTO library_document_fts(rowid, head, body) VALUES (%s, %s, %s)",
                [document.pk, fold(head), fold(body)],
            )


def unindex_document(document_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_document_fts WHERE rowid = %s", [document_id])


def search(documents: QuerySet[Document], query: str) -> QuerySet[Document]:
    """`documents` matching every word of `query` (as word prefixes), best match first."""
    words = search_words(query)
    if not words:
        return documents
    if connection.vendor == "postgresql":
        # Words are \w+ only, so the raw tsquery cannot be malformed.
        tsquery = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config=CONFIG)
        return (
            documents.filter(search_vector=tsquery)
            .annotate(rank=SearchRank(F("search_vector"), tsquery))
            .order_by("-rank", "-issued_on", "-id")
        )
    match = " AND ".join(f'"{w}"*' for w in words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM library_document_fts WHERE library_document_fts MATCH %s "
            "ORDER BY bm25(library_document_fts, 10.0, 1.0) LIMIT %s",
            [match, MAX_HITS],
        )
        ranked = [row[0] for row in cursor.fetchall()]
    order = Case(
        *[When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked)],
        output_field=IntegerField(),
    )
    return documents.filter(pk__in=ranked).annotate(rank=order).order_by("rank")
