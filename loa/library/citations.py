"""The citation finder: legal and administrative documents cited in Vietnamese text.

It finds "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ", "Nghị định 30/2020/NĐ-CP",
"Luật số 80/2015/QH13", Party documents ("18-NQ/TW"), official letters without a type code
("Công văn số 1234/SNV-CCHC"), Decree 30 type abbreviations (QĐ, CT, KH …), dates written
"ngày 15 tháng 7 năm 2021", and lists ("các Quyết định số 1046/QĐ-UBND và 1047/QĐ-UBND ngày
02/6/2022", where the date belongs to every item).

It never invents a field: what the text does not say is None. The one deduction it makes is
the type from a symbol's Decree 30 type code (QĐ → Quyết định), because the code says it.

Spans: a lone citation spans from its type word to the end of its date or issuer; in a list,
the first item spans from the type word to the end of its code and the others span their code.
"""

import datetime
import re
from dataclasses import asdict, dataclass

# Type names as written in documents, longest first so "Nghị quyết liên tịch" wins over
# "Nghị quyết". The value is the type's canonical name (None: a generic word, no type).
TYPE_WORDS: dict[str, str | None] = {
    "Nghị quyết liên tịch": "Nghị quyết liên tịch",
    "Thông tư liên tịch": "Thông tư liên tịch",
    "Hiến pháp": "Hiến pháp",
    "Bộ luật": "Bộ luật",
    "Luật": "Luật",
    "Pháp lệnh": "Pháp lệnh",
    "Nghị quyết": "Nghị quyết",
    "Nghị định": "Nghị định",
    "Quyết định": "Quyết định",
    "Chỉ thị": "Chỉ thị",
    "Thông tư": "Thông tư",
    "Kế hoạch": "Kế hoạch",
    "Chương trình": "Chương trình",
    "Công văn": "Công văn",
    "Công điện": "Công điện",
    "Báo cáo": "Báo cáo",
    "Thông báo kết luận": "Thông báo",
    "Thông báo": "Thông báo",
    "Thông cáo": "Thông cáo",
    "Kết luận": "Kết luận",
    "Đề án": "Đề án",
    "Dự án": "Dự án",
    "Phương án": "Phương án",
    "Hướng dẫn": "Hướng dẫn",
    "Quy định": "Quy định",
    "Quy chế": "Quy chế",
    "Tờ trình": "Tờ trình",
    "Biên bản": "Biên bản",
    "Hợp đồng": "Hợp đồng",
    "Giấy mời": "Giấy mời",
    "Văn bản": None,
}
# Decree 30 type codes (Phụ lục III), as they appear in symbols and as short type words.
TYPE_CODES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "NQLT": "Nghị quyết liên tịch",
    "NĐ": "Nghị định",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
    "KH": "Kế hoạch",
    "CTr": "Chương trình",
    "CĐ": "Công điện",
    "BC": "Báo cáo",
    "TB": "Thông báo",
    "TC": "Thông cáo",
    "KL": "Kết luận",
    "ĐA": "Đề án",
    "DA": "Dự án",
    "PA": "Phương án",
    "HD": "Hướng dẫn",
    "QyĐ": "Quy định",
    "QC": "Quy chế",
    "TTr": "Tờ trình",
    "BB": "Biên bản",
    "HĐ": "Hợp đồng",
    "GM": "Giấy mời",
    "PL": "Pháp lệnh",
}
# Short type words people write before "số" that are not symbol codes.
SHORT_TYPE_WORDS = {**TYPE_CODES, "CV": "Công văn"}

_DASH = "\\-\u2010\u2011\u2012\u2013"
_LETTER = "A-Za-zĐđ"
_TYPE_WORD = "|".join([re.escape(w) for w in sorted(TYPE_WORDS, key=len, reverse=True)])
_SHORT_WORD = "|".join(re.escape(w) for w in sorted(SHORT_TYPE_WORDS, key=len, reverse=True))
# A symbol: groups of letters/digits joined by "-" or "/", the first starting with a capital.
_SYMBOL = rf"[A-ZĐ][{_LETTER}0-9]*(?:[{_DASH}/][A-ZĐ0-9][{_LETTER}0-9]*)*"
_CODE = (
    rf"(?P<number>\d{{1,6}})(?P<sep>[/{_DASH}])"
    rf"(?:(?P<year>(?:19|20)\d\d)/)?(?P<symbol>{_SYMBOL})"
)
CODE_RE = re.compile(_CODE)
_NUMERIC_DATE = r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>(?:19|20)\d\d)"
_WORDED_DATE = r"(?P<wd>\d{1,2})\s+tháng\s+(?P<wm>\d{1,2})\s+năm\s+(?P<wy>(?:19|20)\d\d)"
DATE_RE = re.compile(rf"ngày\s+(?:{_NUMERIC_DATE}|{_WORDED_DATE})", re.IGNORECASE)
# Where an issuer written after "của" ends: a word that starts the subject, or punctuation.
# "và", "," and " - " end it only when a lower-case word follows: "Sở Giáo dục và Đào tạo",
# "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Lao động - Thương binh và Xã hội" stay whole.
_ISSUER_STOP = re.compile(
    r"\s+(?:về|v/v|V/v|phê duyệt|ban hành|quy định|hướng dẫn|triển khai|thực hiện|chủ trì|ký|"
    r"ngày|số|nhằm|tại|đối với|trong|với|giai đoạn|năm \d{4})(?![\wÀ-ỹ])|[;:.()\n“”\"]"
)
_ISSUER_JOIN = re.compile(r"\s+và\s+|\s*,\s*|\s+-\s+")
ISSUER_RE = re.compile(r"(?:của|do)\s+(?P<issuer>[^\s,;.()\n][^\n]*)", re.IGNORECASE)
# "… của Chính phủ và Kế hoạch số 321/KH-UBND": a document's type word after "và" or "," starts
# the next citation, not the rest of the issuer's name.
_NEXT_DOCUMENT = re.compile(rf"(?i:{_TYPE_WORD})(?![\wÀ-ỹ])")
_HEAD = re.compile(
    rf"(?<!\w)(?P<head>(?:(?i:{_TYPE_WORD})|(?:{_SHORT_WORD}))(?=[\s:])"
    rf"(?:\s+(?i:số))?\s*:?\s*|(?i:\bsố)\s*:?\s*)(?={_CODE})"
)
_LIST_JOIN = re.compile(r"\s*(?:,|;|và|hoặc)\s*(?:(?i:số)\s*)?")


@dataclass(frozen=True)
class Citation:
    type: str | None
    number: str
    symbol: str
    code: str
    date: str | None  # ISO yyyy-mm-dd
    issuer: str | None
    start: int
    end: int

    def as_dict(self) -> dict:
        return asdict(self)


def _plain_dashes(text: str) -> str:
    return re.sub(f"[{_DASH}]", "-", text)


def _date(match: re.Match) -> str | None:
    day = match.group("d") or match.group("wd")
    month = match.group("m") or match.group("wm")
    year = match.group("y") or match.group("wy")
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None  # "31/02/2022" is not a date; never guess


def _type_of(head_word: str | None, symbol: str) -> str | None:
    if head_word:
        for word, name in TYPE_WORDS.items():
            if head_word.lower() == word.lower():
                if name is not None:
                    return name
                break
        if head_word in SHORT_TYPE_WORDS:
            return SHORT_TYPE_WORDS[head_word]
    first = re.split(r"[-/]", symbol)[0]
    return TYPE_CODES.get(first)


def _issuer(text: str, pos: int) -> tuple[str | None, int]:
    """An issuer written right at `pos` ("của Chính phủ"); (issuer, end) or (None, pos)."""
    match = ISSUER_RE.match(text, pos)
    if not match:
        return None, pos
    start = match.start("issuer")
    rest = text[start : start + 120]
    stop = _ISSUER_STOP.search(rest)
    issuer = rest[: stop.start()] if stop else rest
    for join in _ISSUER_JOIN.finditer(issuer):
        after = issuer[join.end() : join.end() + 1]
        if not after or not after.isupper() or _NEXT_DOCUMENT.match(issuer, join.end()):
            issuer = issuer[: join.start()]
            break
    issuer = issuer.rstrip(" ,-")
    words = issuer.split()
    if not words or len(words) > 12 or not words[0][0].isupper():
        return None, pos
    return issuer, start + len(issuer)


def _date_and_issuer(text: str, pos: int) -> tuple[str | None, str | None, int]:
    """Date and issuer following a code, in either order, each optional."""
    date = issuer = None
    end = pos
    for _ in range(2):
        gap = re.match(r"[ \t]*,?[ \t]*", text[end:])
        here = end + (gap.end() if gap else 0)
        if date is None:
            match = DATE_RE.match(text, here)
            if match:
                date, end = _date(match), match.end()
                continue
        if issuer is None:
            found, found_end = _issuer(text, here)
            if found:
                issuer, end = found, found_end
                continue
        break
    return date, issuer, end


def _lone_code_ok(symbol: str, year: str | None) -> bool:
    """A code without a type word must look unmistakably like a symbol: two groups
    ("UBND-VX", "NQ/TW") or a year ("30/2020/NĐ-CP")."""
    return bool(year) or bool(re.search(r"[-/]", symbol))


# "số" after these words numbers a form, an article, a house or a plot, not a document.
_NOT_DOCUMENT_NUMBER = re.compile(
    r"(?i:mẫu|biểu mẫu|phụ lục|điều|khoản|điểm|nhà|tờ bản đồ|thửa|thửa đất|ki-ốt|kiốt|phòng|"
    r"tầng|lô|quầy|bàn|tổ)\s+$"
)


def find_citations(text: str) -> list[Citation]:
    """Every citation in `text`, in the order they appear."""
    found: list[Citation] = []
    taken_until = 0
    for code in CODE_RE.finditer(text):
        if code.start() < taken_until:
            continue
        if code.start() > 0 and (
            text[code.start() - 1].isalnum() or text[code.start() - 1] in "/-"
        ):
            continue  # part of a longer token ("A12/QĐ", "x/12/QĐ")
        after = code.end()
        if after < len(text) and (text[after].isalnum() or text[after] in "/"):
            continue
        head = None
        window = max(taken_until, code.start() - 60)
        for candidate in _HEAD.finditer(text, window, code.end()):
            if candidate.end() == code.start():
                head = candidate
        head_word = None
        if head is not None and head.group("head").strip(" :").lower() == "số":
            # A bare "số": the code must look like a document's, and not number a form,
            # an article or a house.
            symbol = _plain_dashes(code.group("symbol"))
            if not _lone_code_ok(symbol, code.group("year")) or _NOT_DOCUMENT_NUMBER.search(
                text[max(0, head.start() - 20) : head.start()]
            ):
                continue
        if head is not None:
            words = re.match(
                r"(?:các\s+)?(.+?)(?:\s+số)?\s*:?\s*$", head.group("head").strip(), re.I
            )
            head_word = words.group(1).strip() if words else None
            if head_word and head_word.lower() == "số":
                head_word = None
        elif not _lone_code_ok(_plain_dashes(code.group("symbol")), code.group("year")):
            continue
        # A list: more codes joined by "," / "và" share the type, date and issuer.
        items = [code]
        cursor = code.end()
        while True:
            join = _LIST_JOIN.match(text, cursor)
            if not join:
                break
            nxt = CODE_RE.match(text, join.end())
            if not nxt or (nxt.end() < len(text) and (text[nxt.end()].isalnum())):
                break
            items.append(nxt)
            cursor = nxt.end()
        date, issuer, end = _date_and_issuer(text, cursor)
        for index, item in enumerate(items):
            symbol = _plain_dashes(item.group("symbol"))
            number = item.group("number")
            code_text = _plain_dashes(item.group(0))
            start = head.start() if (index == 0 and head is not None) else item.start()
            if head is not None and index == 0:
                start = head.start() + len(head.group(0)) - len(head.group(0).lstrip())
            span_end = end if len(items) == 1 else item.end()
            kind = _type_of(head_word, symbol)
            own = TYPE_CODES.get(re.split(r"[-/]", symbol)[0])
            if index > 0 and own and own != kind:
                kind = own  # "Quyết định số 1046/QĐ-UBND và 30/2020/NĐ-CP": a decree
            found.append(
                Citation(
                    type=kind,
                    number=number,
                    symbol=symbol,
                    code=code_text,
                    date=date,
                    issuer=issuer,
                    start=start,
                    end=span_end,
                )
            )
        taken_until = max(end, cursor)
    return found
