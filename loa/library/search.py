"""Full-text search over the library: PostgreSQL's text search with unaccent, or SQLite FTS5.

Both fold diacritics and đ→d: PostgreSQL through the `loa_vi` configuration (unaccent),
SQLite because Loa indexes and queries text it has folded itself. Every word must match;
the last one as a prefix, since people search as they type. A match in the head (type,
number and symbol, issuer, abstract, subjects) ranks above a match only in the attachments.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import F, Prefetch, QuerySet, Value

from loa.core.paginator import CappedPaginator
from loa.core.text import fold, search_words
from loa.library.models import Attachment, Document

CONFIG = "loa_vi"


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
        head_vector = SearchVector(Value(head), weight="A", config=CONFIG)
        Document.objects.filter(pk=document.pk).update(
            head_vector=head_vector,
            search_vector=head_vector + SearchVector(Value(body), weight="C", config=CONFIG),
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_document_fts WHERE rowid = %s", [document.pk])
            cursor.execute(
                "INSERT INTO library_document_fts(rowid, head, body) VALUES (%s, %s, %s)",
                [document.pk, fold(head), fold(body)],
            )


def rebuild_index(batch: int = 2000) -> int:
    """Index every document again (after a bulk load or a restore). Returns how many."""
    done = 0
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        documents = Document.objects.filter(pk__in=ids[start : start + batch]).prefetch_related(
            "subjects",
            Prefetch("attachments", queryset=Attachment.objects.only("document", "text")),
        )
        with transaction.atomic():
            for document in documents:
                index_document(document)
                done += 1
    return done


class RankedResults:
    """SQLite's results: ids in rank order from FTS5, documents fetched a page at a time.

    It behaves like a queryset for the paginator and the templates (count, len, slicing).
    """

    def __init__(self, documents: QuerySet[Document], ranked_ids: list[int]):
        self.ids = ranked_ids
        self.documents = documents

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        ids = self.ids[index] if isinstance(index, slice) else [self.ids[index]]
        by_id = {d.pk: d for d in self.documents.filter(pk__in=ids)}
        found = [by_id[pk] for pk in ids if pk in by_id]
        return found if isinstance(index, slice) else found[0]


def search(documents: QuerySet[Document], query: str):
    """`documents` matching every word of `query`, best match first (a queryset or
    RankedResults); `documents` itself, unranked, for an empty query."""
    words = search_words(query)
    if not words:
        return documents
    *whole, last = words
    if connection.vendor == "postgresql":
        # Words are \w+ only, so the raw tsquery cannot be malformed.
        raw = " & ".join([*whole, f"{last}:*"])
        tsquery = SearchQuery(raw, search_type="raw", config=CONFIG)
        return (
            documents.filter(search_vector=tsquery)
            .annotate(rank=SearchRank(F("head_vector"), tsquery))
            .order_by("-rank", "-issued_on", "-id")
        )
    match = " AND ".join([*(f'"{w}"' for w in whole), f'"{last}"*'])
    # The filters (type, issuer, year, subject) go inside the FTS query, before the limit,
    # so a rarely matching filter still finds its documents among thousands of hits.
    allowed_sql, allowed_params = documents.order_by().values("pk").query.sql_with_params()
    # The inner SQL is compiled by the ORM and its values are bound, never interpolated.
    # "+rowid" keeps SQLite from driving the search by the allowed list (one index probe per
    # document: minutes at 50,000); the unary plus makes it a filter on the FTS matches.
    sql = (
        "SELECT rowid FROM library_document_fts WHERE library_document_fts MATCH %s "
        f"AND +rowid IN ({allowed_sql}) "
        "ORDER BY bm25(library_document_fts, 10.0, 1.0) LIMIT %s"
    )
    with connection.cursor() as cursor:
        # One past the paginator's cap, so the page can say "more than 1,000".
        cursor.execute(sql, [match, *allowed_params, CappedPaginator.cap + 1])
        ranked = [row[0] for row in cursor.fetchall()]
    return RankedResults(documents, ranked)
