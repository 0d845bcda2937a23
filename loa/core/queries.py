"""Reads of the audit log: filtered, newest first, a page at a time.

The log grows by a row for every write, so it is paged by keyset ("older than the last row
shown"), not by offset: every page, the first or the ten-thousandth, is one query that reads
down the index on `at` (or the one on `action` or `actor`) until it has 51 rows, and nothing
counts the whole table. Searching the object's name is bounded too (SEARCH_WINDOW, below).
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from loa.core.models import AuditEntry, User
from loa.core.text import accent_insensitive, as_id, search_words

PAGE_SIZE = 50
EXPORT_CAP = 20_000

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_TICK = datetime.timedelta(microseconds=1)


@dataclass
class AuditFilters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    actor: str = ""
    action: str = ""
    target_type: str = ""
    text: str = ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _label_contains(word: str) -> Q:
    """The object's label holds `word` (folded), whatever its diacritics and case."""
    if connection.vendor == "postgresql":
        # unaccent (the extension library's search index made, its migration 0002) folds đ
        # and every Vietnamese mark; what it leaves is ASCII, so the case-blind LIKE needs no
        # locale. No index serves a LIKE '%…%', hence SEARCH_WINDOW below.
        return Q(target_label__unaccent__icontains=word)
    # SQLite (and any other database): Django's REGEXP runs Python's `re`, case-insensitive
    # over all of Unicode; the pattern accepts every diacritic variant of each letter.
    return Q(target_label__iregex=accent_insensitive(word))


def _actor_matches(text: str) -> Q:
    """Accounts whose user name holds the text, or whose person's name holds every word of it
    (folded, like the people search)."""
    accounts = Q(username__icontains=text.strip())
    words = search_words(text)
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(person__search_name__contains=word)
        accounts |= by_name
    return Q(actor_id__in=User.objects.filter(accounts).values("pk"))


def _filtered(visible: QuerySet[AuditEntry], filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Every filter but the words of the object's name (those the database cannot index)."""
    entries = visible
    if filters.start:
        entries = entries.filter(at__gte=_day_start(filters.start))
    if filters.end:
        entries = entries.filter(at__lt=_day_start(filters.end + datetime.timedelta(days=1)))
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.target_type:
        entries = entries.filter(target_type=filters.target_type)
    if filters.actor.strip():
        entries = entries.filter(_actor_matches(filters.actor))
    return entries.select_related("actor__person")


def _words(text: str) -> Q | None:
    words = search_words(text)
    if not words:
        return None
    matches = Q()
    for word in words:
        matches &= _label_contains(word)
    return matches


def audit_entries(visible: QuerySet[AuditEntry], filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The rows of `visible` that match, newest first, with the acting account and its person."""
    entries = _filtered(visible, filters)
    words = _words(filters.text)
    if words is not None:
        entries = entries.filter(words)
    return entries.order_by("-at", "-id")


# --- keyset pages -------------------------------------------------------------------------
#
# A cursor names a row by its time (microseconds since 1970) and id: "1732530000123456.42".
# Each condition on (at, id) bounds `at` first, so the index on `at` gives the range, and uses
# only < and >= on `at`: on SQLite, rows written by the audit INSERT keep their "+00:00" suffix,
# which compares correctly with < and >= but never equals the ORM's form of the same moment,
# so "at <= x" is written "at < x + 1 µs".
#
# Words of the object's name match no index (LIKE '%…%' on folded text), so a page of a text
# search reads at most SEARCH_WINDOW rows down the index (whatever the other filters keep) and,
# if it found fewer than a page there, offers to go on from where it stopped. A rare word over
# millions of rows costs a few such pages instead of one request that reads the whole table.

SEARCH_WINDOW = 100_000


def cursor_of(entry: AuditEntry | tuple[datetime.datetime, int]) -> str:
    at, pk = (entry.at, entry.pk) if isinstance(entry, AuditEntry) else entry
    return f"{(at - _EPOCH) // _TICK}.{pk}"


def _parse_cursor(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    micros, _dot, pk = (cursor or "").partition(".")
    micros_value, pk_value = as_id(micros), as_id(pk)
    if micros_value is None or pk_value is None:
        return None
    try:
        return _EPOCH + micros_value * _TICK, pk_value
    except OverflowError:
        return None


def _older_than(at: datetime.datetime, pk: int, *, inclusive: bool = False) -> Q:
    last = Q(id__lte=pk) if inclusive else Q(id__lt=pk)
    return Q(at__lt=at + _TICK) & (Q(at__lt=at) | last)


def _newer_than(at: datetime.datetime, pk: int, *, inclusive: bool = False) -> Q:
    first = Q(id__gte=pk) if inclusive else Q(id__gt=pk)
    return Q(at__gte=at) & (Q(at__gte=at + _TICK) | first)


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    newer: str | None  # the cursor for the page of newer rows, if any
    older: str | None  # the cursor for the page of older rows, if any
    window_ended: bool = False  # a text search read SEARCH_WINDOW rows and found fewer than a page


def audit_page(
    visible: QuerySet[AuditEntry],
    filters: AuditFilters,
    *,
    before: str | None = None,
    after: str | None = None,
) -> AuditPage:
    """PAGE_SIZE matching rows older than `before`, or newer than `after`, or the newest ones."""
    entries = _filtered(visible, filters)
    words = _words(filters.text)
    older_than, newer_than = _parse_cursor(before), _parse_cursor(after)
    going_newer = newer_than is not None
    if newer_than is not None:
        entries = entries.filter(_newer_than(*newer_than)).order_by("at", "id")
    else:
        if older_than is not None:
            entries = entries.filter(_older_than(*older_than))
        entries = entries.order_by("-at", "-id")
    edge = None
    if words is not None:
        # The window's last row, if any row lies beyond it.
        bounds = list(entries.values_list("at", "id")[SEARCH_WINDOW - 1 : SEARCH_WINDOW + 1])
        edge = bounds[0] if len(bounds) == 2 else None
        if edge is not None and going_newer:
            entries = entries.filter(_older_than(*edge, inclusive=True))
        elif edge is not None:
            entries = entries.filter(_newer_than(*edge, inclusive=True))
        entries = entries.filter(words)
    rows = list(entries[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    # Where to go on in the direction of travel: after the last row shown, or, when the
    # search window ended first, after the last row read.
    onward = cursor_of(rows[-1]) if more else (cursor_of(edge) if edge else None)
    window_ended = not more and edge is not None
    if going_newer:
        rows.reverse()
        return AuditPage(
            entries=rows,
            newer=onward,
            older=cursor_of(rows[-1]) if rows else None,
            window_ended=window_ended,
        )
    return AuditPage(
        entries=rows,
        newer=cursor_of(rows[0]) if rows and older_than is not None else None,
        older=onward,
        window_ended=window_ended,
    )
