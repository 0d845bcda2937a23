"""Read a plan's text into its structure: the import behind "paste or upload a plan".

Plans of Vietnamese agencies share a shape (Decree 30 header, "KẾ HOẠCH" and a title, a
preamble citing the plan they implement, sections I/II/III with numbered sub-sections,
lettered content topics, bullet lists, "Nơi nhận" and the signer) but vary in the details:
roman or arabic numbering, missing sections, tasks as numbered lists or paragraphs, recipients
with or without dashes, headers with or without the national motto. The parser handles those
and puts what it cannot place in `unplaced`, never dropping it.
"""

import re
from dataclasses import asdict, dataclass, field

from loa.core.text import fold
from loa.library.citations import Citation, find_citations

ROMAN = r"(?:XI{0,3}|IX|IV|VI{0,3}|I{1,3})"
SECTION_ROMAN = re.compile(rf"^(?P<n>{ROMAN})[.)]\s*(?P<title>.+)$")
SECTION_PART = re.compile(r"^(?:Phần|PHẦN)\s+(?P<n>\w+)[.:]?\s*(?P<title>.*)$")
NUMBERED = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})*)[.)]\s+(?P<text>.+)$")
LETTERED = re.compile(r"^(?P<n>[a-eg-zđ])\)\s*(?P<text>.+)$")
BULLET = re.compile(r"^[-–—+•*]\s*(?P<text>.+)$")
MOTTO = re.compile(r"(cong hoa xa hoi chu nghia viet nam|doc lap\s*-\s*tu do\s*-\s*hanh phuc)")
NUMBER_LINE = re.compile(r"^Số\s*:?\s*(?P<code>\S+)", re.IGNORECASE)
PLACE_DATE = re.compile(
    r"^(?P<place>[^\d,]{2,40}),\s*ngày\s+(?P<d>\d{1,2}|\.+|…+)\s+tháng\s+(?P<m>\d{1,2}|\.+|…+)"
    r"\s+năm\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(20\d\d)\b")
TITLE_WORD = re.compile(r"^KẾ HOẠCH(?![\wÀ-ỹ])")
RECIPIENTS = re.compile(r"^Nơi nhận\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
SIGN_PREFIX = re.compile(r"^(TM|KT|TL|TUQ|Q)\.\s", re.IGNORECASE)
CLOSING = re.compile(r"^(Trên đây là|Trong quá trình (tổ chức )?thực hiện|Yêu cầu các)", re.I)
PREAMBLE = re.compile(r"^(Thực hiện|Căn cứ|Triển khai|Nhằm|Để|Theo|Ngày)\b", re.IGNORECASE)

# What a section is about, recognised by words in its heading (folded).
KINDS = [
    ("purposes", ("muc dich",)),
    ("requirements", ("yeu cau",)),
    ("audiences", ("doi tuong", "pham vi")),
    ("topics", ("noi dung",)),
    ("forms", ("hinh thuc", "phuong thuc")),
    ("tasks", ("to chuc thuc hien", "trach nhiem", "phan cong", "nhiem vu", "giai phap")),
]
# Words of a name: a unit of the agency starts with one of these.
UNIT_HEADS = ("Phòng", "Ban", "Trung tâm", "Tổ", "Đội", "Bộ phận", "Văn phòng", "Chi cục")
_GROUP = r"(?:phòng|ban|khoa|đơn vị|cơ quan|tổ|bộ phận)(?: chuyên môn| trực thuộc)?"
GENERIC_UNITS = re.compile(rf"các {_GROUP}(?:\s*,\s*{_GROUP})*", re.IGNORECASE)
# A lower-case word that ends a unit's name, alone or as the start of one of these pairs.
_STOP_WORDS = set(
    "có và với của để về trên tại là được sẽ cần phải các này trong gửi giúp nghiêm trước sau "
    "khi từ đến theo nhằm".split()
)
_STOP_PAIRS = set(
    """tổ chức|chủ trì|phối hợp|thực hiện|tham mưu|báo cáo|triển khai|xây dựng|theo dõi|
    hướng dẫn|kiểm tra|tổng hợp|đăng tải|bố trí|đôn đốc|chịu trách|công khai|cập nhật|làm đầu|
    chỉ đạo|tuyên truyền|định kỳ|bảo đảm|đảm bảo""".replace("\n", "").split("|")
)
_STOP_PAIRS = {" ".join(pair.split()) for pair in _STOP_PAIRS}


@dataclass
class Task:
    text: str
    units: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)  # from a task table's column
    when: str | None = None  # the "thời gian" cell of a task table, as written


@dataclass
class Topic:
    code: str | None
    text: str


@dataclass
class ParsedPlan:
    title: str = ""
    year: int | None = None
    number: str | None = None
    place: str | None = None
    date: str | None = None
    issuer_lines: list[str] = field(default_factory=list)
    parent: Citation | None = None
    preamble: str = ""
    purposes: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    closing: str = ""
    recipients: list[str] = field(default_factory=list)
    signer: dict = field(default_factory=lambda: {"title": None, "name": None})
    unplaced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["parent"] = self.parent.as_dict() if self.parent else None
        data["citations"] = [c.as_dict() for c in self.citations]
        return data


class NotAPlan(ValueError):
    """The text has no shape of a plan (no title line and no sections)."""


def _clean(line: str) -> str:
    return " ".join(line.replace("\u00a0", " ").split())


TABLE_ROW = "\x1e"  # marks a row of a task table among the lines
_COLUMN_WORDS = {
    "text": ("noi dung", "nhiem vu", "cong viec", "hoat dong"),
    "lead": ("chu tri", "don vi thuc hien", "co quan thuc hien", "don vi"),
    "cooperating": ("phoi hop",),
    "when": ("thoi gian", "thoi han", "tien do"),
}


def _task_table_columns(cells: list[str]) -> dict[str, int] | None:
    """Column positions if these cells head a task table (Nội dung | Đơn vị chủ trì …)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        folded = fold(cell)
        for name, words in _COLUMN_WORDS.items():
            if name not in found and any(word in folded for word in words):
                found[name] = index
                break
    return found if "text" in found and "lead" in found else None


def _starts_section(line: str) -> bool:
    """I./II. headings, "Phần I", or an arabic heading in capitals ("1. MỤC ĐÍCH, YÊU CẦU")."""
    if SECTION_ROMAN.match(line) or SECTION_PART.match(line):
        return True
    numbered = NUMBERED.match(line)
    return bool(numbered and "." not in numbered.group("n") and _is_upper(numbered.group("text")))


def _kind(heading: str) -> str | None:
    folded = fold(heading)
    for kind, words in KINDS:
        if any(word in folded for word in words):
            return kind
    return None


def _is_upper(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def find_units(text: str, known: list[str] | None = None) -> list[str]:
    """Unit names in a task's text, as written. With `known` names, only those (matched
    without regard to diacritics, dashes or case); else by the shape of a unit's name."""
    found: list[str] = []
    for match in GENERIC_UNITS.finditer(text):
        found.append(match.group(0))
    known_keys = [fold(name) for name in known or []]
    if known:
        folded = fold(text)
        for key in known_keys:
            position = folded.find(key)
            if key and position >= 0:
                found.append(text[position : position + len(key)])
    for head in UNIT_HEADS:
        for match in re.finditer(rf"(?<![\wÀ-ỹ]){head}\s+(?=[A-ZĐÀ-Ỹ])", text):
            name = _unit_name(text, match.start(), match.end())
            if not name or re.match(r"Văn phòng (UBND|HĐND|Ủy ban|Chính phủ)", name):
                continue
            key = fold(name)
            # A name like a known unit's is that unit; what is left names a unit the agency
            # does not have yet, which the review page offers to create.
            if not any(key.startswith(k) or k.startswith(key) for k in known_keys):
                found.append(name)
    return _unique(found)


def _unit_name(text: str, start: int, after_head: int) -> str | None:
    """The name that starts at `start`: capitalised words, the lower-case words that follow
    them ("Hành chính", "Tiếp công dân"), dashes and "và" between capitalised words."""
    words = list(re.finditer(r"[–-]|[\wÀ-ỹ]+", text[after_head:]))
    end, lowercase_run, seen_capital = after_head, 0, False
    for index, word in enumerate(words):
        part = word.group(0)
        gap = text[end : after_head + word.start()]
        if any(ch in gap for ch in ",;:.()\n"):
            break
        following = words[index + 1].group(0) if index + 1 < len(words) else ""
        if part in "–-" or part == "và":
            if following[:1].isupper():
                continue  # "Văn hóa và Thông tin", "Văn hóa - Thể thao"
            break
        if part[0].isupper():
            seen_capital, lowercase_run, end = True, 0, after_head + word.end()
            continue
        pair = f"{part.lower()} {following.lower()}"
        if (
            not seen_capital
            or part.lower() in _STOP_WORDS
            or pair in _STOP_PAIRS
            or lowercase_run >= 5
        ):
            break
        lowercase_run += 1
        end = after_head + word.end()
    return text[start:end].strip() if seen_capital else None


def _unique(items: list[str]) -> list[str]:
    seen, result = set(), []
    for item in items:
        key = fold(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _strip_item(text: str) -> str:
    return text.strip().rstrip(";").strip()


def parse_plan(text: str, *, known_units: list[str] | None = None) -> ParsedPlan:
    """The structure of a plan's text. Raises NotAPlan for a text with no plan in it."""
    # Cells copied from a Word table arrive separated by tabs. A task table's rows are kept
    # whole (marked for the body reader); any other table's cells become lines of their own.
    lines = []
    table: dict[str, int] | None = None
    for raw in text.splitlines():
        cells = [_clean(cell) for cell in raw.split("\t")]
        if len(cells) < 3:
            table = None
        elif table is None and (columns := _task_table_columns(cells)):
            table = columns
            continue
        elif table is not None:
            row = {name: cells[i] if i < len(cells) else "" for name, i in table.items()}
            lines.append(TABLE_ROW + "\x1f".join(row.get(k, "") for k in _COLUMN_WORDS))
            continue
        lines.extend(cells)
    lines = [line for line in lines if line]
    plan = ParsedPlan(citations=find_citations(text))
    if not lines:
        raise NotAPlan("empty")
    # 1. Header and title: everything before "KẾ HOẠCH".
    title_at = next((i for i, line in enumerate(lines) if TITLE_WORD.match(line)), None)
    first_section = next((i for i, line in enumerate(lines) if _starts_section(line)), None)
    if title_at is None and first_section is None:
        raise NotAPlan("no title and no sections")
    header = lines[: title_at if title_at is not None else 0]
    for line in header:
        number = NUMBER_LINE.match(line)
        place_date = PLACE_DATE.match(line)
        if number and "/" in number.group("code"):
            code = re.sub("[\u2010-\u2013]", "-", number.group("code"))
            if code[0].isdigit():  # "Số:      /KH-VPUBND": the number is given on issuing
                plan.number = code
        elif place_date:
            plan.place = place_date.group("place").strip()
            day, month = place_date.group("d"), place_date.group("m")
            if day.isdigit() and month.isdigit():
                plan.date = f"{place_date.group('y')}-{int(month):02d}-{int(day):02d}"
        elif MOTTO.search(fold(line)) or set(line) <= set("-_–— "):
            continue
        else:
            plan.issuer_lines.append(line)
    cursor = 0
    if title_at is not None:
        rest = lines[title_at][len("KẾ HOẠCH") :].strip(" :")
        title_lines = [rest] if rest else []
        cursor = title_at + 1
        while cursor < len(lines) and len(title_lines) < 3:
            line = lines[cursor]
            if (
                _starts_section(line)
                or PREAMBLE.match(line)
                or NUMBERED.match(line)
                or len(line) > 160
                or set(line) <= set("-_–— ")
            ):
                break
            title_lines.append(line)
            cursor += 1
        while cursor < len(lines) and set(lines[cursor]) <= set("-_–— "):
            cursor += 1
        plan.title = " ".join(title_lines).strip()
    years = YEAR.findall(plan.title)
    plan.year = int(years[-1]) if years else (int(plan.date[:4]) if plan.date else None)
    # 2. Preamble: up to the first section; the plan it implements is its first citation.
    body_start = first_section if first_section is not None and first_section >= cursor else cursor
    preamble = lines[cursor:body_start]
    plan.preamble = "\n".join(preamble)
    if preamble:
        cited = find_citations(plan.preamble)
        implementing = re.match(r"(Thực hiện|Triển khai|Căn cứ)", plan.preamble, re.I)
        if cited and implementing:
            plan.parent = next((c for c in plan.citations if c.code == cited[0].code), cited[0])
    # 3. The end: "Nơi nhận" and the signer, then the closing paragraph before them.
    end = len(lines)
    recipients_at = next((i for i, line in enumerate(lines) if RECIPIENTS.match(line)), None)
    tail = lines[recipients_at:] if recipients_at is not None else []
    if recipients_at is not None:
        end = recipients_at
        _read_recipients_and_signer(plan, tail)
        if plan.signer["title"] is None:  # the signer block written before "Nơi nhận"
            end = _read_signer_without_recipients(plan, lines[:recipients_at], body_start)
    else:
        end = _read_signer_without_recipients(plan, lines, body_start)
    # The closing paragraph comes after the last heading: "Yêu cầu các đơn vị …" inside a
    # section is a requirement, not the end of the plan.
    last_heading = max(
        (i for i in range(body_start, end) if _starts_section(lines[i])), default=body_start
    )
    closing_at = next((i for i in range(last_heading, end) if CLOSING.match(lines[i])), None)
    if closing_at is not None:
        plan.closing = "\n".join(lines[closing_at:end])
        end = closing_at
    # 4. The body, section by section.
    _read_body(plan, lines[body_start:end], known_units)
    return plan


def _read_recipients_and_signer(plan: ParsedPlan, tail: list[str]) -> None:
    heading = RECIPIENTS.match(tail[0])
    first = heading.group("rest").strip() if heading else ""
    rest = ([first] if first else []) + tail[1:]
    signer_lines: list[str] = []
    for line in rest:
        bullet = BULLET.match(line)
        if signer_lines or (not bullet and (_is_upper(line) or SIGN_PREFIX.match(line))):
            signer_lines.append(line)
            continue
        item = (bullet.group("text") if bullet else line).strip().rstrip(";.").strip()
        if item:
            plan.recipients.append(item)
    _set_signer(plan, signer_lines)


def _read_signer_without_recipients(plan: ParsedPlan, lines: list[str], start: int) -> int:
    """A plan without "Nơi nhận": the signer is the upper-case block at the very end."""
    index = len(lines)
    while index > start and (
        _is_upper(lines[index - 1])
        or SIGN_PREFIX.match(lines[index - 1])
        or _looks_like_name(lines[index - 1])
        or lines[index - 1].strip("()").lower() == "đã ký"
    ):
        index -= 1
        if len(lines) - index > 5:
            break
    _set_signer(plan, lines[index:])
    return index


def _looks_like_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[0].isupper() and w[1:].islower() for w in words)


def _set_signer(plan: ParsedPlan, signer_lines: list[str]) -> None:
    titles = [line for line in signer_lines if _is_upper(line) or SIGN_PREFIX.match(line)]
    names = [line for line in signer_lines if _looks_like_name(line) and line not in titles]
    plan.signer = {
        "title": "\n".join(titles) if titles else None,
        "name": names[-1] if names else None,
    }
    for line in signer_lines:
        if line not in titles and line not in names and line.strip("()").lower() != "đã ký":
            plan.unplaced.append(line)


def _read_body(plan: ParsedPlan, lines: list[str], known_units: list[str] | None) -> None:
    section_kind: str | None = None  # of the current roman section
    kind: str | None = None  # of the current sub-section (or the section)
    task_units: list[str] = []  # units named by a task heading ending with ":"
    last: list | None = None  # the list the previous item went into, for continuations
    title_pending = False  # "PHẦN I" alone on its line: the next line is its title
    for line in lines:
        if line.startswith(TABLE_ROW):
            text, lead, cooperating, when = line[1:].split("\x1f")
            if text and not text.isdigit():
                plan.tasks.append(
                    Task(
                        text=_strip_item(text),
                        units=find_units(lead, known_units) or ([lead] if lead else []),
                        cooperating=find_units(cooperating, known_units)
                        or ([cooperating] if cooperating else []),
                        when=when or None,
                    )
                )
            continue
        if title_pending:
            title_pending = False
            section_kind = kind = _kind(line)
            if section_kind is None:
                plan.unplaced.append(line)
            continue
        roman = SECTION_ROMAN.match(line) or SECTION_PART.match(line)
        if roman:
            if not roman.group("title").strip():
                title_pending, last, task_units = True, None, []
                continue
            section_kind = _kind(roman.group("title"))
            kind, last, task_units = section_kind, None, []
            if section_kind is None:
                plan.unplaced.append(line)
            continue
        numbered = NUMBERED.match(line)
        heading, _colon, inline = (numbered.group("text") if numbered else "").partition(":")
        if (
            numbered
            and section_kind != "tasks"
            and _kind(heading)
            and len(heading) < 80
            and (not inline.strip() or len(heading) < 40)
        ):
            kind, last = _kind(heading), None
            if not inline.strip():
                continue
            line = inline.strip()  # "1. Mục đích: nâng cao …": the rest is its first item
            numbered = None
        elif numbered and "." not in numbered.group("n") and _is_upper(numbered.group("text")):
            section_kind = kind = _kind(numbered.group("text"))  # arabic top-level sections
            last, task_units = None, []
            if kind is None:
                plan.unplaced.append(line)
            continue
        lettered = LETTERED.match(line)
        bullet = BULLET.match(line)
        content = (
            lettered.group("text")
            if lettered
            else bullet.group("text")
            if bullet
            else numbered.group("text")
            if numbered
            else line
        )
        if kind == "tasks":
            if numbered or (not bullet and not lettered):
                units = find_units(content, known_units)
                if content.rstrip().endswith(":"):
                    task_units = units
                    last = None
                    continue
                task_units = []
                plan.tasks.append(Task(text=_strip_item(content), units=units))
                last = plan.tasks
            else:  # a bullet or lettered item under a task heading ending with ":"
                units = find_units(content, known_units) or list(task_units)
                plan.tasks.append(Task(text=_strip_item(content), units=units))
                last = plan.tasks
            continue
        if kind == "topics":
            if lettered or bullet or numbered:
                code = lettered.group("n") if lettered else None
                plan.topics.append(Topic(code=code, text=_strip_item(content)))
                last = plan.topics
            elif last is plan.topics and plan.topics:
                plan.topics[-1].text += "\n" + line
            else:
                plan.topics.append(Topic(code=None, text=_strip_item(content)))
                last = plan.topics
            continue
        target = {
            "purposes": plan.purposes,
            "requirements": plan.requirements,
            "audiences": plan.audiences,
            "forms": plan.forms,
        }.get(kind or "")
        if target is not None:
            target.append(_strip_item(content))
            last = target
            continue
        plan.unplaced.append(line)
