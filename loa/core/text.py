"""Vietnamese text helpers: diacritic folding for search, sorting, dates and money.

Search folds diacritics and đ→d (Unicode decomposition leaves đ alone, so it is mapped
by hand); display always keeps them.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")


def fold(text: str) -> str:
    """Lower-case text without diacritics, dashes made plain and spaces collapsed.

    >>> fold("Phòng Hành chính – Quản trị")
    'phong hanh chinh - quan tri'
    """
    text = unicodedata.normalize("NFD", text.translate(_D_MAP))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _DASHES.sub("-", text)
    return _SPACES.sub(" ", text).strip().lower()


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0301": 5, "\u0323": 6}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def _letters_and_tones(word: str) -> tuple[str, str]:
    primary: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tones[-1:] = [str(_TONES[ch])]
            continue
        if ch in _LETTER_MARKS and primary:
            primary[-1] = unicodedata.normalize("NFC", primary[-1] + ch)
            continue
        primary.append(ch)
        tones.append("1")
    letters = "".join(
        f"{_ALPHABET.index(ch) + 10:02d}" if ch in _ALPHABET else f"{min(ord(ch), 9999):04d}"[-2:]
        for ch in primary
    )
    return letters, "".join(tones)


def person_sort_key(full_name: str) -> str:
    """A key that sorts people by given name (the last word), then the rest, in Vietnamese order.

    The key is made of digits only, so every database collation orders it the same way.
    """
    words = full_name.split()
    if not words:
        return ""
    given, rest = words[-1], " ".join(words[:-1])
    given_letters, given_tones = _letters_and_tones(given)
    rest_letters, rest_tones = _letters_and_tones(rest.replace(" ", ""))
    return f"{given_letters}00{given_tones}0{rest_letters}00{rest_tones}"[:250]


def format_date(value: datetime.date | None) -> str:
    """dd/mm/yyyy, the form Vietnamese users read and type."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_vnd(amount: int | Decimal | None) -> str:
    """1.250.000 đ — dots group thousands in Vietnamese."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"


_VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵfjwz"
)
_VARIANTS: dict[str, str] = {}
for _letter in _VIETNAMESE_LETTERS:
    _VARIANTS.setdefault(fold(_letter), "")
    _VARIANTS[fold(_letter)] += _letter


def accent_insensitive(word: str) -> str:
    """A regular expression matching `word` (folded) whatever the diacritics, e.g. "duc" also
    matches "Đức"; use with re.IGNORECASE. Searching the original text keeps offsets exact."""
    return "".join(f"[{_VARIANTS[ch]}]" if ch in _VARIANTS else re.escape(ch) for ch in fold(word))


def search_words(query: str) -> list[str]:
    """The words of a search, folded, in order, without repeats or punctuation."""
    words: list[str] = []
    for word in re.findall(r"\w+", fold(query)):
        if word not in words:
            words.append(word)
    return words[:12]


def as_id(value: str | None) -> int | None:
    """A database id typed in an address or a form, or None: ASCII digits only (not "²" or
    "٣", which str.isdigit() accepts) and within a 64-bit integer."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_number(text: str) -> str | None:
    """A Vietnamese phone number in one form, from 0 ("+84 912-345-678" → "0912345678"), so
    the same number typed two ways is found as one; None if it is not one. Mobiles have ten
    digits, landlines eleven (024 3825 1234)."""
    digits = _PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0[1-9][0-9]{8}|02[0-9]{9}", digits) else None
