"""Charts for the printed report, as PNG images (matplotlib, no screen needed)."""

import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: workers have no display
from matplotlib import pyplot  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# DejaVu Serif comes with matplotlib and has every Vietnamese letter, on any machine.
FONTS = ["DejaVu Serif"]


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=150, bbox_inches="tight")
    pyplot.close(figure)
    return out.getvalue()


def horizontal_bars(labels: list[str], series: list[tuple[str, list[int]]]) -> bytes:
    """One bar per label and series (e.g. each unit's people, opened, acknowledged)."""
    with matplotlib.rc_context({"font.family": "serif", "font.serif": FONTS, "font.size": 10}):
        height = max(2.0, 0.45 * len(labels) * max(1, len(series)) / 1.5 + 1)
        figure, axes = pyplot.subplots(figsize=(7, height))
        count = len(series)
        step = 0.8 / count
        positions = range(len(labels))
        for index, (name, values) in enumerate(series):
            offsets = [p + index * step - 0.4 + step / 2 for p in positions]
            axes.barh(offsets, values, height=step, label=name)
        axes.set_yticks(list(positions), [label[:40] for label in labels])
        axes.invert_yaxis()
        axes.legend(loc="lower right", fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)
