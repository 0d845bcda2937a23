"""Settings of the outreach benchmark's server: Loa's own, with the floor view's URL added."""

from loa.settings import *  # noqa: F403 - exactly Loa's settings, one line changed

ROOT_URLCONF = "outreach_urls"
