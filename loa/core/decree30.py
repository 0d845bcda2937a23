"""Documents laid out per Decree 30/2020/NĐ-CP (Phụ lục I): A4, margins 20/20/30/15 mm,
Times New Roman (Liberation Serif stands in where it is missing: same metrics), the header
block of agency names, national motto, number and symbol, place and date; page numbers
centred at the top from page 2; "Nơi nhận" and the signer block at the end."""

import datetime
import io

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"


def vietnamese_date(day: datetime.date | None) -> str:
    """ "ngày 05 tháng 01 năm 2024": days below 10 and months 1 and 2 take a leading zero."""
    if day is None:
        return "ngày     tháng     năm"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


class Decree30Document:
    def __init__(self):
        self.word = WordDocument()
        section = self.word.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        style = self.word.styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(14)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        style.paragraph_format.space_after = Pt(6)
        self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        """Arabic page numbers centred in the top margin, none on the first page."""
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run()
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._r.append(element)
        run.font.size = Pt(13)

    @staticmethod
    def _line(paragraph, text, *, size=14, bold=False, italic=False, upper=False):
        run = paragraph.add_run(text.upper() if upper else text)
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
        run.font.name = FONT
        return run

    def _cell_paragraph(self, cell, text, **style):
        paragraph = cell.add_paragraph() if cell.paragraphs[0].text else cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        self._line(paragraph, text, **style)
        return paragraph

    def header(
        self, *, governing_body: str, agency: str, code: str, place: str, date: datetime.date | None
    ) -> None:
        table = self.word.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        if governing_body:
            self._cell_paragraph(left, governing_body, size=13, upper=True)
        self._cell_paragraph(left, agency, size=13, bold=True, upper=True)
        self._cell_paragraph(left, "———", size=13)
        self._cell_paragraph(right, MOTTO, size=13, bold=True)
        self._cell_paragraph(right, SLOGAN, size=14, bold=True)
        self._cell_paragraph(right, "———————————", size=13)
        left, right = table.rows[1].cells
        self._cell_paragraph(left, f"Số: {code}" if code else "Số:       /", size=13)
        self._cell_paragraph(
            right,
            f"{place}, {vietnamese_date(date)}" if place else vietnamese_date(date),
            size=14,
            italic=True,
        )
        for row in table.rows:
            row.cells[0].width, row.cells[1].width = Cm(6.5), Cm(10)

    def title(self, kind: str, summary: str) -> None:
        for text in (kind.upper(), summary):
            paragraph = self.word.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            self._line(paragraph, text, bold=True)
        rule = self.word.add_paragraph()
        rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._line(rule, "———————")

    def body(self, text: str, *, bold: bool = False, indent: bool = True) -> None:
        paragraph = self.word.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            paragraph.paragraph_format.first_line_indent = Cm(1.27)
        paragraph.paragraph_format.line_spacing = 1.15
        self._line(paragraph, text, bold=bold)

    def heading(self, text: str) -> None:
        self.body(text, bold=True)

    def table(self, headers: list[str], rows: list[list[str]], *, numeric_from: int = 1) -> None:
        """A bordered table, 13 pt, its header row bold; columns from `numeric_from` on are
        figures and align right."""
        table = self.word.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            self._cell_paragraph(cell, text, size=13, bold=True)
        for values in rows:
            cells = table.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
                paragraph = self._cell_paragraph(cell, str(text), size=13)
                right = index >= numeric_from
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
        self.word.add_paragraph().paragraph_format.space_after = Pt(0)

    def picture(self, png: bytes, *, width_cm: float = 15, caption: str = "") -> None:
        self.word.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if caption:
            paragraph = self.word.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._line(paragraph, caption, size=12, italic=True)

    def signature(self, *, recipients: list[str], signer_title: str, signer_name: str) -> None:
        table = self.word.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        first = left.paragraphs[0]
        self._line(first, "Nơi nhận:", size=12, bold=True, italic=True)
        for index, recipient in enumerate(recipients):
            paragraph = left.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            end = "." if index == len(recipients) - 1 else ";"
            self._line(paragraph, f"- {recipient}{end}", size=11)
        for line in (signer_title or "").splitlines():
            self._cell_paragraph(right, line, bold=True, upper=True)
        for _blank in range(3):
            self._cell_paragraph(right, "")
        if signer_name:
            self._cell_paragraph(right, signer_name, bold=True)
        for row in table.rows:
            row.cells[0].width, row.cells[1].width = Cm(8), Cm(8.5)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.word.save(out)
        return out.getvalue()
