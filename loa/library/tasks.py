from django_tasks import task

from loa.library import services


@task()
def extract_attachment_text(*, attachment_id: int) -> None:
    services.attachment_extract(attachment_id=attachment_id)
