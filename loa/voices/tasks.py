"""Mail about citizens' feedback, built by the worker from the row itself: the queue holds only
the feedback's id, never a citizen's address or words (the task table outlives an erasure)."""

from django.conf import settings
from django.template import loader
from django.utils import translation
from django_tasks import task

from loa.core.tasks import send_email
from loa.voices import queries
from loa.voices.models import Feedback


def _render(name: str, feedback: Feedback) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"feedback": feedback, "site_url": settings.SITE_URL}
        subject = loader.render_to_string(f"voices/email/{name}_subject.txt", context)
        body = loader.render_to_string(f"voices/email/{name}.txt", context)
    return " ".join(subject.split()), body


@task()
def tell_answerers(*, feedback_id: int) -> None:
    """Tell the agency's answerers that feedback arrived (its kind and reference only)."""
    feedback = Feedback.objects.select_related("agency").filter(pk=feedback_id).first()
    recipients = queries.answerer_emails(feedback.agency) if feedback else []
    if feedback and recipients:
        subject, body = _render("received", feedback)
        send_email.call(subject=subject, body=body, to=recipients)


@task()
def send_answer(*, feedback_id: int) -> None:
    """E-mail the answer to the citizen, unless their address was erased meanwhile."""
    feedback = Feedback.objects.select_related("agency").filter(pk=feedback_id).first()
    if feedback and feedback.email and feedback.answer:
        subject, body = _render("answered", feedback)
        send_email.call(subject=subject, body=body, to=[feedback.email])
