from django_tasks import task

from loa.reports import services


@task()
def render_report(*, rendering_id: int) -> str:
    return services.rendering_run(rendering_id=rendering_id)


@task()
def email_report(*, report_id: int, rendering_id: int) -> None:
    services.report_email(report_id=report_id, rendering_id=rendering_id)
