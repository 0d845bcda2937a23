"""Citizens' feedback for tests, through the services as real use would."""

from loa.org.tests.factories import OrgWorld
from loa.voices import services
from loa.voices.models import Feedback, FeedbackBox


def open_box(world: OrgWorld, **kw) -> FeedbackBox:
    return services.feedback_box_open(actor=world.coordinator.user, agency=world.agency, **kw)


def send_feedback(box: FeedbackBox, **kw) -> Feedback:
    kw.setdefault("kind", Feedback.Kind.REPORT)
    kw.setdefault("subject", "Thời gian giải quyết hồ sơ đất đai quá hạn")
    kw.setdefault("content", "Hồ sơ của tôi nộp ngày 03/01/2024 đến nay chưa có kết quả.")
    kw.setdefault("consent", True)
    return services.feedback_submit(box=box, **kw)
