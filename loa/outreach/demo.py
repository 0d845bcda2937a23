"""Demo dispatch: the plan's key documents sent to the whole Office for the demo plan's
task 1 (every unit briefs its people) and the topics they carry, about two thirds of the
staff having acknowledged them, so the reach pages have something to show; sending it records
it as evidence of task 1."""

import random

from django.db import transaction
from django.utils import timezone

from loa.core.models import User
from loa.library.models import Document
from loa.org.demo import AGENCY_NAME
from loa.org.models import Agency
from loa.outreach import services
from loa.outreach.models import Channel, Dispatch, DispatchStatus
from loa.plans import demo as plans_demo


def exists() -> bool:
    return Dispatch.objects.filter(agency__name=AGENCY_NAME).exists()


@transaction.atomic
def load() -> None:
    agency = Agency.objects.filter(name=AGENCY_NAME).first()
    if agency is None or exists():
        return
    coordinator = User.objects.get(username="dieuphoi")
    plan = plans_demo.demo_plan()
    task = plan.tasks.order_by("order", "id").first() if plan else None
    dispatch = services.dispatch_create(
        actor=coordinator,
        agency=agency,
        title="Quán triệt Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2023",
        message="Đề nghị các đồng chí nghiên cứu Nghị quyết số 76/NQ-CP ngày 15/7/2021 của "
        "Chính phủ và Kế hoạch số 321/KH-UBND ngày 30/12/2022 của UBND tỉnh.",
        audience={"whole_agency": True},
        channels=[],  # the inbox only: the demo prints no e-mail
        documents=Document.objects.filter(code__in=["76/NQ-CP", "321/KH-UBND"]),
        tasks=[task] if task else [],
        # a) the Party's and State's policies; c) the documents directing the reform (76/NQ-CP)
        topics=plan.topics.filter(code__in=["a", "c"]) if plan else [],
    )
    Dispatch.objects.filter(pk=dispatch.pk).update(
        status=DispatchStatus.SENDING, sent_at=timezone.now()
    )
    services.dispatch_deliver(dispatch_id=dispatch.pk)
    chance = random.Random(76)  # noqa: S311 - a repeatable demo, not a secret
    for delivery in dispatch.deliveries.select_related("person__user"):
        user = delivery.person.user
        if user is None or user.username in ("canbo", "truongphong"):
            continue  # left for the visitor to try
        roll = chance.random()
        if roll < 0.65:
            services.delivery_acknowledge(
                actor=user, delivery_id=delivery.pk, channel=Channel.INBOX
            )
        elif roll < 0.8:
            services.delivery_open(actor=user, delivery=delivery, channel=Channel.INBOX)
