"""The analytics store: one row per place, indicator and breakdown, holding the monthly series.

A row per month would be the textbook shape, but at national scale (about 5,000 places,
30 series each, 140+ months) that is some 20 million rows to rewrite on every full build and
140 rows to read per chart. A row per series holds the same numbers in 150,000 rows, a chart
is one indexed read, and an incremental refresh rewrites a few hundred rows. Series that are
zero in every month are not stored: readers treat a missing row as zeros.
"""

from __future__ import annotations

from django.db import models

from keyholder.indicators.months import month_start


class IndicatorSeries(models.Model):
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=64)
    # "" for the total; "country:RU", "sex:f", "age:25-34" for a breakdown.
    dimension = models.CharField(max_length=32, default="", blank=True)
    # Month index of values[0] (0 = 2015-01); values[i] is the figure for month start + i.
    start = models.PositiveIntegerField(default=0)
    values = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["place", "indicator", "dimension"], name="indicator_series_unique"
            )
        ]
        indexes = [models.Index(fields=["indicator", "dimension", "place"])]

    def __str__(self) -> str:
        return f"{self.place_id} {self.indicator} {self.dimension or 'total'}"

    def value_at(self, index: int) -> int:
        offset = index - self.start
        if 0 <= offset < len(self.values):
            return int(self.values[offset])
        return 0


class StoreState(models.Model):
    """One row saying how far the store reaches and when it was last built and refreshed.

    Builds and refreshes lock this row first, so that they never interleave.
    """

    months = models.PositiveIntegerField(default=0, help_text="number of months held")
    built_at = models.DateTimeField(null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"store of {self.months} months built {self.built_at}"

    @property
    def last_month(self) -> str:
        start = month_start(max(self.months - 1, 0))
        return f"{start.year:04d}-{start.month:02d}"
