"""Reads for outreach: the audience a dispatch's rules select, and the reach figures."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from loa.core.models import User
from loa.org.models import Agency, Person
from loa.org.tree import subtree_ids
from loa.outreach.models import Delivery, Dispatch, Message


def _selection(agency: Agency, rules: dict) -> Q:
    if rules.get("whole_agency"):
        chosen = Q(agency=agency)
    else:
        units = {int(u) for u in rules.get("units", [])}
        if rules.get("subunits"):
            units = subtree_ids(units, {agency.pk})
        chosen = Q(unit_id__in=units)
        if rules.get("roles"):
            chosen |= Q(
                roles__role__in=rules["roles"],
                roles__agency=agency,
                roles__revoked_at__isnull=True,
            )
    if rules.get("categories"):
        chosen &= Q(category__in=rules["categories"])
    return chosen | Q(pk__in=[int(p) for p in rules.get("people", [])])


def audience(agency: Agency, rules: dict) -> QuerySet[Person]:
    """The people the rules select, working in the agency now: the whole agency, or the
    chosen units (with their sub-units if asked) and role holders, narrowed to the chosen
    categories; named people always; and everyone a chosen saved group selects."""
    from loa.outreach.models import AudienceGroup

    selected = _selection(agency, rules)
    groups = AudienceGroup.objects.filter(agency=agency, pk__in=rules.get("groups", []))
    for group in groups:
        selected |= _selection(agency, group.rules)
    people = Person.objects.filter(agency=agency, is_active=True)
    return people.filter(pk__in=people.filter(selected).values("pk"))


@dataclass
class Reach:
    total: int
    opened: int
    acknowledged: int
    failed: int  # messages (e-mail, Zalo) that could not be sent

    @property
    def acknowledged_percent(self) -> int:
        return round(100 * self.acknowledged / self.total) if self.total else 0


def reach(deliveries: QuerySet[Delivery]) -> Reach:
    figures = deliveries.aggregate(
        total=Count("id"),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
    )
    return Reach(**figures, failed=failed_messages(deliveries).count())


def failed_messages(deliveries: QuerySet[Delivery]) -> QuerySet[Message]:
    return Message.objects.filter(delivery__in=deliveries, state=Message.State.FAILED)


def messages_by_channel(deliveries: QuerySet[Delivery]) -> list:
    """How the messages that told people went, channel by channel: sent, waiting, failed."""
    return list(
        Message.objects.filter(delivery__in=deliveries)
        .values("channel")
        .annotate(
            sent=Count("id", filter=Q(state=Message.State.SENT)),
            waiting=Count("id", filter=Q(state__in=[Message.State.PENDING, Message.State.SENDING])),
            failed=Count("id", filter=Q(state=Message.State.FAILED)),
        )
        .order_by("channel")
    )


def reach_by_unit(deliveries: QuerySet[Delivery]) -> list:
    return list(
        deliveries.values("unit__name")
        .annotate(
            total=Count("id"),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        )
        .order_by("unit__name")
    )


def inbox_of(user: User) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(person__user=user)
        .exclude(dispatch__status="draft")
        .select_related("dispatch")
        .order_by("-created_at")
    )


def unread_count(user: User) -> int:
    return inbox_of(user).filter(opened_at__isnull=True).count()


def dispatches_for_list(user: User, visible: QuerySet[Dispatch]) -> QuerySet[Dispatch]:
    current = Q(deliveries__round=F("current_round"))  # the figures of the round asked now
    return visible.select_related("agency").annotate(
        people=Count("deliveries", filter=current, distinct=True),
        acknowledged=Count(
            "deliveries",
            filter=current & Q(deliveries__acknowledged_at__isnull=False),
            distinct=True,
        ),
    )


def delivery_states() -> dict:
    """The whole installation's deliveries (sent, opened, acknowledged, per round) and messages
    by channel and state, for the operators' metrics."""
    figures = Delivery.objects.aggregate(
        sent=Count("id"),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
    )
    messages = Message.objects.values_list("channel", "state").annotate(n=Count("id"))
    return {"deliveries": figures, "messages": [list(row) for row in messages.order_by()]}
