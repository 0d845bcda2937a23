"""Demo library: the documents the sample plan cites, with the numbers, dates, issuers and
titles the sample gives, plus Decree 30 and the Office's own 2023 plan with its text attached.
"""

import datetime
import io
from pathlib import Path

from django.db import transaction

from loa.core.models import User
from loa.library import services
from loa.library.models import Document, DocumentType

SAMPLE_PLAN = Path(__file__).parent / "fixtures" / "kh-tuyen-truyen-cchc-2023-vp-ubnd-vinh-phuc.txt"
PROVINCE = "UBND tỉnh Vĩnh Phúc"
REFORM = "Cải cách hành chính"

# (type, code, date, issuer, title, subjects)
DOCUMENTS = [
    (
        DocumentType.RESOLUTION,
        "76/NQ-CP",
        datetime.date(2021, 7, 15),
        "Chính phủ",
        "Ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030",
        [REFORM],
    ),
    (
        DocumentType.DIRECTIVE,
        "08/CT-UBND",
        datetime.date(2022, 3, 4),
        "Chủ tịch UBND tỉnh Vĩnh Phúc",
        "Về việc đẩy mạnh công tác cải cách hành chính nhà nước trên địa bàn tỉnh Vĩnh Phúc "
        "giai đoạn 2022-2025",
        [REFORM],
    ),
    (
        DocumentType.DECISION,
        "1204/QĐ-UBND",
        datetime.date(2022, 6, 29),
        PROVINCE,
        "Phê duyệt Đề án “Đẩy mạnh công tác cải cách hành chính nhà nước trên địa bàn tỉnh "
        "Vĩnh Phúc giai đoạn 2022-2025”",
        [REFORM],
    ),
    (
        DocumentType.DECISION,
        "1046/QĐ-UBND",
        datetime.date(2022, 6, 2),
        PROVINCE,
        "Phê duyệt Đề án thực hiện các giải pháp nhằm nâng cao văn hoá công vụ giai đoạn "
        "2022-2025 và định hướng đến năm 2030 trên địa bàn tỉnh",
        [REFORM, "Văn hoá công vụ"],
    ),
    (
        DocumentType.DECISION,
        "1047/QĐ-UBND",
        datetime.date(2022, 6, 2),
        PROVINCE,
        "Phê duyệt Đề án Đột phá về công tác cán bộ tại các cơ quan, đơn vị khối nhà nước tỉnh "
        "Vĩnh Phúc giai đoạn 2022-2025",
        [REFORM, "Công tác cán bộ"],
    ),
    (
        DocumentType.DECISION,
        "2866/QĐ-UBND",
        datetime.date(2021, 10, 14),
        PROVINCE,
        "Về Kế hoạch cải cách hành chính nhà nước tỉnh Vĩnh Phúc giai đoạn 2021-2025",
        [REFORM],
    ),
    (
        DocumentType.PLAN,
        "319/KH-UBND",
        datetime.date(2022, 12, 30),
        PROVINCE,
        "Kế hoạch cải cách hành chính Nhà nước tỉnh Vĩnh Phúc năm 2023",
        [REFORM],
    ),
    (
        DocumentType.PLAN,
        "321/KH-UBND",
        datetime.date(2022, 12, 30),
        PROVINCE,
        "Về Thông tin, tuyên truyền cải cách hành chính tỉnh Vĩnh Phúc năm 2023",
        [REFORM, "Thông tin, tuyên truyền"],
    ),
    (
        DocumentType.DECREE,
        "30/2020/NĐ-CP",
        datetime.date(2020, 3, 5),
        "Chính phủ",
        "Về công tác văn thư",
        ["Văn thư"],
    ),
]


def _sample_plan_docx() -> bytes:
    from docx import Document as WordDocument

    word = WordDocument()
    for line in SAMPLE_PLAN.read_text(encoding="utf-8").splitlines():
        if line.strip():
            word.add_paragraph(line.strip())
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def exists() -> bool:
    return Document.objects.filter(code="76/NQ-CP").exists()


@transaction.atomic
def load() -> None:
    if exists():
        return
    admin = User.objects.filter(is_superuser=True).order_by("id").first()
    for doc_type, code, issued_on, issuer, title, subjects in DOCUMENTS:
        services.document_create(
            actor=admin,
            doc_type=doc_type,
            code=code,
            issued_on=issued_on,
            issuer=issuer,
            title=title,
            subject_names=subjects,
        )
    office_plan = services.document_create(
        actor=admin,
        doc_type=DocumentType.PLAN,
        issuer="Văn phòng UBND tỉnh Vĩnh Phúc",
        title="Thông tin, tuyên truyền cải cách hành chính năm 2023",
        subject_names=[REFORM, "Thông tin, tuyên truyền"],
    )
    attachment = services.attachment_add(
        actor=admin,
        document=office_plan,
        upload=services.attachment_from_bytes(
            "ke-hoach-tuyen-truyen-cchc-2023.docx", _sample_plan_docx()
        ),
    )
    # Read the text now rather than waiting for the worker: the demo is ready when it opens.
    services.attachment_extract(attachment_id=attachment.pk)
