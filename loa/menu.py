"""The shell around every page: the menu a person sees depends on their roles.

It lives beside the settings, not in an app, because it composes all of them.

`menu` is every entry in order. The base template shows the everyday ones in the bar, the
organisation's and the system's under one "Administration" button, and the person's own profile
with the sign-out button under the account's, so the longest menu (a superuser's, or the
chief's) fits one line on a 1280-pixel screen; below Bootstrap's `lg` the bar collapses and the
groups open flat (loa/tests/test_browser_menu.py).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loa.core.permissions import can_read_audit_log
from loa.org import permissions
from loa.org.models import Role
from loa.outreach.queries import unread_count

# Who follows an agency's figures: its readers, and the province's reviewers.
FOLLOWING_ROLES = permissions.READING_ROLES | {Role.PROVINCE_REVIEWER}

# Entries grouped under "Administration" in the bar, and under the account's menu.
ADMINISTRATION = ("people", "agencies", "audit", "admin")
ACCOUNT = ("profile",)


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    actor = permissions.actor_for(user)
    menu = [(reverse("core:home"), _("Home"), "home")]
    if actor.person is not None:
        menu.append((reverse("outreach:inbox"), _("Inbox"), "inbox"))
        unread = unread_count(user)
    else:
        unread = 0
    menu.append((reverse("plans:list"), _("Plans"), "plans"))
    if actor.is_superuser or actor.roles():
        menu.append((reverse("outreach:list"), _("Dispatches"), "outreach"))
    if actor.is_superuser or actor.person is not None or actor.roles():
        menu.append((reverse("events:calendar"), _("Activities"), "events"))
    menu.append((reverse("library:search"), _("Library"), "library"))
    if actor.is_superuser or actor.roles() & FOLLOWING_ROLES:
        menu.append((reverse("dashboard:dashboard"), _("Dashboard"), "dashboard"))
        menu.append((reverse("reports:list"), _("Reports"), "reports"))
    if actor.is_superuser or actor.roles() & permissions.READING_ROLES:
        menu.append((reverse("voices:list"), pgettext_lazy("menu", "Feedback"), "voices"))
    if permissions.can_list_people(user):
        menu.append((reverse("org:people"), _("People"), "people"))
    if actor.is_superuser or actor.roles():
        menu.append((reverse("org:agencies"), _("Organisation"), "agencies"))
    if can_read_audit_log(user):
        menu.append((reverse("core:audit_log"), _("Audit log"), "audit"))
    if actor.person is not None:
        menu.append((reverse("org:profile"), _("My profile"), "profile"))
    if user.is_superuser:
        menu.append((reverse("admin:index"), _("System administration"), "admin"))
    return {
        "menu": menu,
        "menu_main": [entry for entry in menu if entry[2] not in ADMINISTRATION + ACCOUNT],
        "menu_administration": [entry for entry in menu if entry[2] in ADMINISTRATION],
        "menu_account": [entry for entry in menu if entry[2] in ACCOUNT],
        "actor": actor,
        "unread": unread,
    }
