import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from loa.outreach import services
from loa.outreach.models import Message


@task()
def deliver(*, dispatch_id: int) -> int:
    return services.dispatch_deliver(dispatch_id=dispatch_id)


@task()
def post_webhook(*, webhook_id: int, event: str, data: dict) -> str:
    return services.webhook_post(webhook_id=webhook_id, event=event, data=data)


@task()
def send_reminders(*, delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        services.delivery_send_reminder(delivery_id=delivery_id)


@task()
def send_messages(*, message_ids: list[int]) -> None:
    """One task a batch; a message whose channel failed is tried again later, with backoff
    (on a backend that can defer work: the database-backed worker can, and RQ workers
    started with --with-scheduler)."""
    retry = []
    for message_id in message_ids:
        if services.message_send(message_id=message_id) == Message.State.PENDING:
            retry.append(message_id)
    if retry and send_messages.get_backend().supports_defer:
        attempts = Message.objects.filter(pk=retry[0]).values_list("attempts", flat=True)
        wait = settings.LOA_RETRY_BASE_SECONDS * 2 ** (attempts[0] if attempts else 1)
        later = send_messages.using(run_after=timezone.now() + datetime.timedelta(seconds=wait))
        later.enqueue(message_ids=retry)
