"""Plans for tests: the sample plan imported for the test world's agency, through services."""

from loa.plans import services
from loa.plans.importing import parse
from loa.plans.tests.test_parser import SAMPLE


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def make_plan(world, *, actor=None):
    parsed = parse(sample_text(), known_units=[u.name for u in world.agency.units.all()])
    return services.plan_create_from_parsed(
        actor=actor or world.coordinator.user, agency=world.agency, parsed=parsed
    )


def review_post_data(response) -> dict:
    """What a person's browser sends back from the review page, as Loa filled it in."""
    form, tasks = response.context["form"], response.context["tasks"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = (
            ""
            if value is None
            else (value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value)
        )
    data.update(
        {
            "tasks-TOTAL_FORMS": str(tasks.total_form_count()),
            "tasks-INITIAL_FORMS": str(tasks.initial_form_count()),
            "tasks-MIN_NUM_FORMS": "0",
            "tasks-MAX_NUM_FORMS": "200",
        }
    )
    for index, task_form in enumerate(tasks):
        for name in task_form.fields:
            value = task_form[name].value()
            key = f"tasks-{index}-{name}"
            if name == "cooperating_units":
                data[key] = [getattr(v, "pk", v) for v in (value or [])]
            elif name in ("all_units", "create_unit"):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = getattr(
                    value, "pk", value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value
                )
    data["add_document"] = [c.code for c, match in response.context["citations"] if not match]
    return data
