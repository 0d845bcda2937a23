"""The reports' year of work and reviewer, shared: the dashboard counts the same records."""

from loa.reports.tests.conftest import reviewer, year  # noqa: F401 - fixtures
