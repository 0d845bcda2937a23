"""Background work shared by all apps. Mail never goes out inside a request."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks import task


def enqueue_with_commit(task, **kwargs) -> None:
    """Queue a task so that the worker finds what the current transaction wrote. The
    database-backed queue takes the task inside the transaction (both commit, or neither);
    any other queue (Redis) takes it once the transaction has committed, so a worker never
    runs it against data it cannot see yet."""
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))


@task()
def send_email(*, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
