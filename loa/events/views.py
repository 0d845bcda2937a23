"""Activity pages: the calendar, recording an activity, its minutes, attendance (QR check-in
and ticking), the iCal feeds and each unit's cadence."""

import calendar as month_calendar
import datetime
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from icalendar import Calendar, Event

from loa.core.agency_choice import for_agency, pick_agency
from loa.core.forms import call_service
from loa.core.spreadsheets import xlsx_response
from loa.core.text import as_id
from loa.core.uploads import too_large
from loa.events import forms, permissions, queries, services
from loa.events.models import Activity, ActivityFile, ActivityType, CalendarFeed
from loa.library.files import download
from loa.org.models import Agency, Person, Unit
from loa.org.permissions import MANAGING_ROLES, actor_for

VIEWS = ("month", "week", "list")


def _visible(request, pk) -> Activity:
    return get_object_or_404(
        permissions.activities_visible_to(request.user).select_related(
            "agency", "type", "organizer"
        ),
        pk=pk,
    )


def _editable(request, pk) -> Activity:
    activity = _visible(request, pk)
    if not permissions.can_edit(request.user, activity):
        raise PermissionDenied
    return activity


def _organizing_agencies(user):
    """The agencies this person records activities for: those they manage, and those of the
    units they head."""
    actor = actor_for(user)
    if actor.is_superuser:
        return Agency.objects.filter(dissolved_on__isnull=True)
    headed = Unit.objects.filter(pk__in=actor.headed_unit_ids()).values("agency_id")
    return Agency.objects.filter(
        Q(pk__in=actor.agency_ids_with(MANAGING_ROLES)) | Q(pk__in=headed),
        dissolved_on__isnull=True,
    )


def _organizer_units(user, agency):
    units = Unit.objects.filter(agency=agency, dissolved_on__isnull=True).order_by("name")
    if permissions.can_manage(user, agency.pk):
        return units
    return units.filter(pk__in=actor_for(user).headed_unit_ids())


def _calendar_agency(request):
    """The agency whose calendar to show: the one named, else the person's own, else the
    only one they see."""
    actor = actor_for(request.user)
    seen = Agency.objects.filter(
        pk__in=permissions.activities_visible_to(request.user).values("agency_id")
    )
    if actor.person is not None:
        seen = seen | Agency.objects.filter(pk=actor.person.agency_id)
    if actor.is_superuser:
        seen = Agency.objects.filter(dissolved_on__isnull=True)
    wanted = as_id(request.GET.get("agency"))
    if wanted:
        agency = seen.filter(pk=wanted).first()
        if agency is None:
            raise Http404
        return agency
    if actor.person is not None:
        return actor.person.agency
    return pick_agency(request, seen.distinct())


def _month_of(request) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        if 1900 <= year <= 2100:
            return datetime.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _week_of(request) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    if not 1900 <= day.year <= 2100:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def _span(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    aware = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time(), tzinfo=aware),
        datetime.datetime.combine(end, datetime.time(), tzinfo=aware),
    )


@login_required
@require_safe
@for_agency("events")
def calendar(request):
    agency = _calendar_agency(request)
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "month"
    units = Unit.objects.filter(agency=agency, dissolved_on__isnull=True).order_by("name")
    unit = (
        units.filter(pk=as_id(request.GET.get("unit"))).first()
        if as_id(request.GET.get("unit"))
        else None
    )
    types = services.types_of(agency)
    type_id = as_id(request.GET.get("type"))
    month = _month_of(request)
    if view == "week":
        first = _week_of(request)
        days = [first + datetime.timedelta(days=i) for i in range(7)]
        start, end = _span(first, first + datetime.timedelta(days=7))
    else:
        weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
        days = [day for week in weeks for day in week]
        last = (month + datetime.timedelta(days=32)).replace(day=1)
        start, end = (
            _span(month, last)
            if view == "list"
            else _span(days[0], days[-1] + datetime.timedelta(days=1))
        )
    visible = permissions.activities_visible_to(request.user).filter(agency=agency)
    activities = list(queries.calendar(visible, start=start, end=end, unit=unit, type_id=type_id))
    by_day: dict[datetime.date, list] = {}
    for activity in activities:
        by_day.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "agency": agency,
        "view": view,
        "month": month,
        "previous": previous,
        "following": following,
        "week_start": days[0],
        "previous_week": days[0] - datetime.timedelta(days=7),
        "next_week": days[0] + datetime.timedelta(days=7),
        "days": [(day, by_day.get(day, [])) for day in days],
        "activities": activities,
        "units": units,
        "unit": unit,
        "types": types,
        "type_id": type_id,
        "today": timezone.localdate(),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "can_create": _organizing_agencies(request.user).filter(pk=agency.pk).exists(),
        "can_manage": permissions.can_manage(request.user, agency.pk),
        "section": "events",
    }
    return render(request, "events/calendar.html", context)


@login_required
@for_agency("events")
def activity_create(request):
    agency = pick_agency(request, _organizing_agencies(request.user))
    if message := too_large(request):
        messages.error(request, message)
        return redirect(reverse("events:create") + f"?agency={agency.pk}")
    services.types_of(agency)
    units = _organizer_units(request.user, agency)
    form = forms.ActivityForm(
        request.POST or None,
        request.FILES or None,
        agency=agency,
        units=units,
        whole_agency_allowed=permissions.can_manage(request.user, agency.pk),
    )
    if request.method == "POST" and form.is_valid():
        activity = call_service(
            form, services.activity_create, actor=request.user, agency=agency, **form.activity()
        )
        if activity:
            messages.success(request, _("The activity has been recorded."))
            return redirect("events:activity", activity.pk)
    context = {
        "form": form,
        "agency": agency,
        "title": _("Record an activity"),
        "section": "events",
    }
    return render(request, "events/form.html", context, status=400 if form.errors else 200)


@login_required
def activity_edit(request, pk):
    activity = _editable(request, pk)
    if message := too_large(request):
        messages.error(request, message)
        return redirect("events:edit", activity.pk)
    units = _organizer_units(request.user, activity.agency)
    if activity.organizer_id:
        units = units | Unit.objects.filter(pk=activity.organizer_id)
    rules = activity.audience or {}
    initial = {
        "type": activity.type_id,
        "title": activity.title,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at),
        "place": activity.place,
        "organizer": activity.organizer_id,
        "cost": activity.cost,
        "document_codes": ", ".join(d.code for d in activity.documents.all()),
        "topics": list(activity.topics.values_list("pk", flat=True)),
        "tasks": list(activity.tasks.values_list("pk", flat=True)),
        **{
            k: rules.get(k)
            for k in (
                "whole_agency",
                "units",
                "subunits",
                "categories",
                "roles",
                "groups",
                "people",
            )
        },
    }
    form = forms.ActivityForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        agency=activity.agency,
        units=units,
        whole_agency_allowed=permissions.can_manage(request.user, activity.agency_id),
    )
    if request.method == "POST" and form.is_valid():
        if call_service(
            form,
            services.activity_update,
            actor=request.user,
            activity=activity,
            **form.activity(),
        ):
            messages.success(request, _("The changes have been saved."))
            return redirect("events:activity", activity.pk)
    context = {
        "form": form,
        "agency": activity.agency,
        "activity": activity,
        "title": _("Edit %(title)s") % {"title": activity.title},
        "section": "events",
    }
    return render(request, "events/form.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def activity_detail(request, pk):
    activity = _visible(request, pk)
    can_edit = permissions.can_edit(request.user, activity)
    context = {
        "activity": activity,
        "figures": queries.attendance_figures(activity),
        "by_unit": queries.absentees_by_unit(activity) if can_edit else [],
        "files": activity.files.all(),
        "topics": activity.topics.all(),
        "documents": activity.documents.all(),
        "tasks": activity.tasks.select_related("plan"),
        "can_edit": can_edit,
        "window": services.checkin_window(activity),
        "section": "events",
    }
    return render(request, "events/detail.html", context)


@login_required
@require_POST
def activity_cancel(request, pk):
    activity = _editable(request, pk)
    services.activity_cancel(actor=request.user, activity=activity)
    messages.success(request, _("The activity has been cancelled."))
    return redirect("events:activity", activity.pk)


@login_required
def activity_minutes(request, pk):
    activity = _editable(request, pk)
    form = forms.MinutesForm(request.POST or None, initial={"minutes": activity.minutes})
    if request.method == "POST" and form.is_valid():
        services.activity_save_minutes(
            actor=request.user, activity=activity, minutes=form.cleaned_data["minutes"]
        )
        messages.success(request, _("The minutes have been saved."))
        return redirect("events:activity", activity.pk)
    context = {"activity": activity, "form": form, "section": "events"}
    return render(request, "events/minutes.html", context)


@login_required
@require_safe
def activity_file(request, pk):
    attached = get_object_or_404(
        ActivityFile.objects.filter(activity__in=permissions.activities_visible_to(request.user)),
        pk=pk,
    )
    if attached.is_photo:  # photos are shown in the page, typed by their checked content
        # Streamed, and the file closed when sent (FileResponse), not read whole into memory.
        return FileResponse(attached.file.open("rb"), content_type=f"image/{attached.kind}")
    return download(attached.file, attached.name, attached.kind)


def checkin_url(activity: Activity) -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") + reverse("events:checkin", args=[activity.checkin_code])


@login_required
@require_safe
def activity_qr(request, pk):
    """The page shown on the meeting-room screen: a large QR code of the check-in link."""
    activity = _editable(request, pk)
    context = {
        "activity": activity,
        "url": checkin_url(activity),
        "window": services.checkin_window(activity),
        "figures": queries.attendance_figures(activity),
        "section": "events",
    }
    # On the room's screen the count of people checked in refreshes itself (htmx).
    template = "events/qr.html#count" if request.htmx else "events/qr.html"
    return render(request, template, context)


@login_required
@require_safe
def activity_qr_svg(request, pk):
    activity = _editable(request, pk)
    out = io.BytesIO()
    segno.make(checkin_url(activity), error="m").save(out, kind="svg", scale=8, border=2)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def checkin(request, code):
    """Where the room's QR code leads: a signed-in person confirms they are here."""
    activity = get_object_or_404(
        Activity.objects.select_related("agency", "type"), checkin_code=code
    )
    error = done = None
    if request.method == "POST":
        try:
            services.attendance_check_in(actor=request.user, activity=activity, code=code)
            done = True
        except ValidationError as refused:
            error = refused.messages[0]
    context = {"activity": activity, "error": error, "done": done, "section": "events"}
    return render(request, "events/checkin.html", context, status=400 if error else 200)


@login_required
def attendance(request, pk):
    """The organizer ticks who was there; after the end, each change is a dated correction."""
    activity = _editable(request, pk)
    if request.method == "POST":
        person = get_object_or_404(
            Person, pk=as_id(request.POST.get("person")) or 0, agency=activity.agency
        )
        services.attendance_mark(
            actor=request.user,
            activity=activity,
            person=person,
            present=request.POST.get("present") == "1",
        )
        if request.htmx:
            row = activity.attendance.select_related("person", "unit").get(person=person)
            return render(request, "events/attendance.html#row", {"row": row, "activity": activity})
        return redirect("events:attendance", activity.pk)
    others = Person.objects.filter(agency=activity.agency, is_active=True).exclude(
        pk__in=activity.attendance.values("person_id")
    )
    context = {
        "activity": activity,
        "rows": queries.attendance_list(activity),
        "others": others.order_by("sort_key")[:300],
        "figures": queries.attendance_figures(activity),
        "ended": timezone.now() > activity.ends_at,
        "section": "events",
    }
    return render(request, "events/attendance.html", context)


@login_required
@require_safe
def attendance_export(request, pk):
    activity = _editable(request, pk)
    header = [
        _("Full name"),
        _("Unit"),
        _("Expected"),
        _("Present"),
        _("How"),
        _("Time"),
        _("Corrected"),
    ]
    rows = (
        [
            row.person.full_name,
            row.unit.name if row.unit else "",
            _("yes") if row.expected else _("no"),
            _("yes") if row.present else _("no"),
            str(row.get_method_display()) if row.method else "",
            _local(row.checked_in_at),
            _local(row.corrected_at),
        ]
        for row in queries.attendance_list(activity)
    )
    return xlsx_response(
        title=_("Attendance"), header=header, rows=rows, filename=f"diem-danh-{activity.pk}.xlsx"
    )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


@login_required
@for_agency("events")
def feeds(request):
    """The agency's (or a unit's) secret iCal addresses, to subscribe to in a calendar app."""
    agency = pick_agency(request, _organizing_agencies(request.user))
    units = _organizer_units(request.user, agency)
    if request.method == "POST":
        if revoke := request.POST.get("revoke", ""):
            feed = get_object_or_404(CalendarFeed, pk=as_id(revoke) or 0, agency=agency)
            services.feed_revoke(actor=request.user, feed=feed)
            messages.success(request, _("The address no longer works."))
        else:
            wanted = request.POST.get("unit", "")
            unit = units.filter(pk=as_id(wanted)).first() if as_id(wanted) else None
            if wanted and unit is None:
                raise PermissionDenied
            services.feed_create(actor=request.user, agency=agency, unit=unit)
            messages.success(request, _("A new calendar address has been made."))
        return redirect(reverse("events:feeds") + f"?agency={agency.pk}")
    mine = CalendarFeed.objects.filter(agency=agency, revoked_at__isnull=True)
    if not permissions.can_manage(request.user, agency.pk):
        mine = mine.filter(unit__in=units)
    site = request.build_absolute_uri("/").rstrip("/")
    context = {
        "agency": agency,
        "feeds": [
            (f, site + reverse("events:ical", args=[f.token])) for f in mine.select_related("unit")
        ],
        "units": units,
        "can_manage": permissions.can_manage(request.user, agency.pk),
        "section": "events",
    }
    return render(request, "events/feeds.html", context)


@require_safe
def ical(request, token):
    """The iCal feed: public, but only with its secret token, until it is revoked."""
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("agency", "unit")
        .first()
    )
    if feed is None:
        return HttpResponse(
            _("This calendar address is not valid or has been revoked."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    since = timezone.now() - datetime.timedelta(days=90)
    activities = Activity.objects.filter(
        agency=feed.agency, cancelled_at__isnull=True, ends_at__gte=since
    )
    if feed.unit_id:
        activities = activities.filter(organizer=feed.unit)
    cal = Calendar()
    cal.add("prodid", "-//Loa//loa//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", str(feed.unit or feed.agency))
    host = request.get_host().split(":")[0]
    for activity in activities.select_related("type", "organizer").order_by("starts_at")[:2000]:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@{host}")
        event.add("summary", activity.title)
        event.add("dtstart", activity.starts_at)
        event.add("dtend", activity.ends_at)
        event.add("dtstamp", activity.created_at)
        if activity.place:
            event.add("location", activity.place)
        event.add("description", f"{activity.type} · {activity.organizer or feed.agency}")
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="loa.ics"'
    return response


@login_required
@for_agency("events")
def cadence(request):
    """Each unit's activities month by month, so who has gone silent shows at a glance."""
    actor = actor_for(request.user)
    readable = (
        Agency.objects.filter(dissolved_on__isnull=True)
        if actor.is_superuser
        else _organizing_agencies(request.user)
    )
    agency = pick_agency(request, readable)
    rule = getattr(agency, "cadence_rule", None)
    if request.method == "POST":
        days = request.POST.get("silent_days", "")
        if not permissions.can_manage(request.user, agency.pk):
            raise PermissionDenied
        if as_id(days) and 1 <= int(days) <= 365:
            services.cadence_rule_set(actor=request.user, agency=agency, silent_days=int(days))
            messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Enter a number of days between 1 and 365."))
        return redirect(reverse("events:cadence") + f"?agency={agency.pk}")
    from django.conf import settings

    days = rule.silent_days if rule else settings.LOA_CADENCE_DAYS
    data = queries.cadence(agency)
    today = timezone.localdate()
    rows = []
    headed = (
        None if permissions.can_manage(request.user, agency.pk) else set(actor.headed_unit_ids())
    )
    for unit, counts, last in data["rows"]:
        if headed is not None and unit.pk not in headed:
            continue
        silent = last is None or (today - last).days > days
        rows.append(
            {"unit": unit, "counts": counts, "last": last, "silent": silent, "total": sum(counts)}
        )
    context = {
        "agency": agency,
        "months": data["months"],
        "rows": rows,
        "days": days,
        "can_manage": permissions.can_manage(request.user, agency.pk),
        "section": "events",
    }
    return render(request, "events/cadence.html", context)


@login_required
@for_agency("events")
def types(request):
    actor = actor_for(request.user)
    managed = (
        Agency.objects.filter(dissolved_on__isnull=True)
        if actor.is_superuser
        else Agency.objects.filter(pk__in=actor.agency_ids_with(MANAGING_ROLES))
    )
    agency = pick_agency(request, managed)
    form = forms.ActivityTypeForm(request.POST if "name" in request.POST else None)
    if request.method == "POST":
        if toggle := request.POST.get("toggle", ""):
            kind = get_object_or_404(ActivityType, pk=as_id(toggle) or 0, agency=agency)
            services.activity_type_set_active(
                actor=request.user, kind=kind, active=not kind.is_active
            )
            return redirect(reverse("events:types") + f"?agency={agency.pk}")
        if form.is_valid() and call_service(
            form,
            services.activity_type_create,
            actor=request.user,
            agency=agency,
            name=form.cleaned_data["name"],
        ):
            return redirect(reverse("events:types") + f"?agency={agency.pk}")
    context = {
        "agency": agency,
        "types": services.types_of(agency),
        "form": form,
        "section": "events",
    }
    return render(request, "events/types.html", context)
