"""Demo feedback: the Office's box open, and three citizens' feedback, one of them answered, so
the list, the answer and the follow-up page have something to show."""

from django.db import transaction
from django.urls import reverse

from loa.core.models import User
from loa.org.demo import AGENCY_NAME
from loa.org.models import Agency
from loa.voices import services
from loa.voices.models import Feedback, FeedbackBox

FEEDBACK = [
    {
        "kind": Feedback.Kind.REPORT,
        "subject": "Hồ sơ đăng ký kinh doanh trả kết quả chậm",
        "content": "Tôi nộp hồ sơ tại Trung tâm Phục vụ hành chính công ngày 03/3, hẹn trả ngày "
        "10/3 nhưng đến 17/3 mới nhận được, không có thư xin lỗi.",
        "wants_answer": True,
        "name": "Nguyễn Văn Minh",
        "email": "minh.nv@example.com",
    },
    {
        "kind": Feedback.Kind.PROPOSAL,
        "subject": "Niêm yết lịch tiếp công dân trên Cổng thông tin",
        "content": "Đề nghị Văn phòng đăng lịch tiếp công dân hằng tháng trên Cổng thông tin "
        "điện tử để người dân chủ động sắp xếp.",
        "may_quote": True,
    },
    {
        "kind": Feedback.Kind.IDEA,
        "subject": "Mã QR tra cứu tình trạng hồ sơ",
        "content": "In mã QR trên giấy hẹn trả kết quả để người dân tra cứu tình trạng hồ sơ "
        "bằng điện thoại.",
        "wants_answer": True,
        "phone": "0912 345 678",
        "may_quote": True,
    },
]
ANSWER = (
    "Văn phòng đã kiểm tra: hồ sơ bị chậm do thiếu xác nhận của cơ quan thuế. Trung tâm đã "
    "nhắc nhở cán bộ tiếp nhận gửi thư xin lỗi theo quy định. Cảm ơn ông đã phản ánh."
)


def public_links(url: str) -> list[tuple[str, str]]:
    """The demo's public feedback box, printed with the accounts: a citizen needs no account."""
    box = FeedbackBox.objects.filter(agency__name=AGENCY_NAME, is_open=True).first()
    if box is None:
        return []
    link = url.rstrip("/") + reverse("voices:submit", args=[box.code])
    return [("Hộp thư góp ý của người dân / citizens' feedback box", link)]


def exists() -> bool:
    return FeedbackBox.objects.filter(agency__name=AGENCY_NAME).exists()


@transaction.atomic
def load() -> None:
    agency = Agency.objects.filter(name=AGENCY_NAME).first()
    if agency is None or exists():
        return
    coordinator = User.objects.get(username="dieuphoi")
    box = services.feedback_box_open(actor=coordinator, agency=agency)
    sent = [services.feedback_submit(box=box, consent=True, **item) for item in FEEDBACK]
    services.feedback_answer(actor=coordinator, feedback=sent[0], answer=ANSWER)
