"""Manual ordering of tasks inside a status column, without renumbering on every move.

Positions are sparse integers. A new task takes a position from the clock
(milliseconds since the epoch, shifted left by 20 bits), so it lands at the end
of its column without reading the column first. A move takes the midpoint
between its new neighbours; only when two neighbours leave no room between them
is the column renumbered, with wide gaps again.
"""

import time

CLOCK_SHIFT = 20
GAP = 1 << CLOCK_SHIFT


def position_now() -> int:
    return time.time_ns() // 1_000_000 << CLOCK_SHIFT


def between(above: int | None, below: int | None) -> int | None:
    """A position strictly between two neighbours (None: no neighbour that side), or None if full."""
    if above is None:
        return position_now() if below is None else below - GAP
    if below is None:
        return max(above + GAP, position_now())
    if below - above < 2:
        return None
    return above + (below - above) // 2


def spread(count: int, start: int) -> list[int]:
    """Fresh, evenly spaced positions for a renumbered column."""
    return [start + index * GAP for index in range(count)]
