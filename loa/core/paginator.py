"""A paginator that stops counting at a cap: "more than 1,000 results" is all a person needs,
and counting every match of a common word costs more than finding the first page. Only the
first `cap` results are paged; the page says so and suggests narrowing the search."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    cap = 1000

    @cached_property
    def _counted(self) -> int:
        items = self.object_list
        if isinstance(items, QuerySet):
            return items.order_by().values("pk")[: self.cap + 1].count()
        return min(len(items), self.cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap
