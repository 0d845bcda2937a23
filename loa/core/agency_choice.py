"""Pages that act for one agency: a person who manages several is asked which one first.

An app decides which agencies a person may act for (`managed`, a queryset); `pick_agency`
takes the one the request names (`?agency=`, or the form's hidden field), refusing any other,
and asks with `ChooseAgency` when the person has several and named none. Views wrapped in
`for_agency(section)` answer that with the chooser page, which links back with `?agency=`.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from loa.core.text import as_id


class ChooseAgency(Exception):  # noqa: N818 - a page to show, not an error
    """The person manages several agencies: ask which one first."""

    def __init__(self, agencies):
        super().__init__("choose an agency")
        self.agencies = agencies


def pick_agency(request, managed):
    """The agency of `managed` the request names, or the only one; a forged or foreign
    agency is refused (403), never swapped for the person's own."""
    wanted = request.GET.get("agency") or request.POST.get("agency")
    if wanted:
        agency = managed.filter(pk=as_id(wanted)).first() if as_id(wanted) else None
    elif managed.count() > 1:
        raise ChooseAgency(managed)
    else:
        agency = managed.first()
    if agency is None:
        raise PermissionDenied
    return agency


def for_agency(section: str):
    """Decorate a view that calls `pick_agency`: a ChooseAgency becomes the chooser page."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except ChooseAgency as choice:
                context = {"agencies": choice.agencies, "path": request.path, "section": section}
                return render(request, "core/choose_agency.html", context)

        return wrapped

    return decorate
