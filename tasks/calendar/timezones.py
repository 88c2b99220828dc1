"""VTIMEZONE definitions by yearly rules, for the zones a feed's repeating tasks name.

A repeating task with a time is written in its owner's zone (TZID), so its occurrences keep their
local time across summer time, and RFC 5545 wants a VTIMEZONE for every TZID. icalendar writes
one as a list of every transition (RDATE); some calendar applications read only yearly rules
(RRULE) there and would put every occurrence at standard time. So the zone's current rules are
written as yearly rules ("the last Sunday of March at 02:00"), checked against the following years'
real transitions. A zone whose changes follow no such rule (Morocco's around Ramadan) gets each
change from last year to five years ahead as an onset of its own.
"""

import calendar
import functools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_EPOCH_YEAR = 1970  # the rules' first onset: before any task


def _transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """(local wall time at the change in the old offset, old offset, new offset), found hour by
    hour (a few milliseconds for a year; cached with the result)."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    before = moment.astimezone(zone).utcoffset()
    while moment.year == year:
        moment += timedelta(hours=1)
        after = moment.astimezone(zone).utcoffset()
        if after != before and before is not None and after is not None:
            found.append(((moment + before).replace(tzinfo=None), before, after))
            before = after
    return found


def _byday(day: date) -> str:
    """The weekday rule that gives ``day`` in its month: ``-1SU`` (last) or ``2SU`` (second)."""
    last_day = calendar.monthrange(day.year, day.month)[1]
    nth = -1 if day.day + 7 > last_day else (day.day - 1) // 7 + 1
    return f"{nth}{_WEEKDAYS[day.weekday()]}"


def _date_of(year: int, month: int, byday: str) -> date:
    nth, weekday = int(byday[:-2]), _WEEKDAYS.index(byday[-2:])
    last_day = calendar.monthrange(year, month)[1]
    days = [d for d in range(1, last_day + 1) if date(year, month, d).weekday() == weekday]
    return date(year, month, days[nth - 1] if nth > 0 else days[nth])


def _rules_fit(zone: ZoneInfo, year: int, rules: list[tuple[int, str, datetime]]) -> bool:
    """Whether the yearly rules give the zone's real transitions in the next years too."""
    for later in (year + 1, year + 2):
        real = _transitions(zone, later)
        if len(real) != len(rules):
            return False
        for (when, _old, _new), (month, byday, first) in zip(real, rules, strict=True):
            if when.date() != _date_of(later, month, byday) or when.time() != first.time():
                return False
    return True


@functools.lru_cache(maxsize=64)
def vtimezone(tzid: str, year: int) -> Timezone:
    """The VTIMEZONE of ``tzid`` by the rules it has in ``year`` (cached: zones change rarely)."""
    zone = ZoneInfo(tzid)
    changes = _transitions(zone, year)
    component = Timezone()
    component.add("tzid", tzid)
    if not changes:  # no summer time: one offset
        offset = datetime(year, 1, 1, tzinfo=zone).utcoffset() or timedelta(0)
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(_EPOCH_YEAR, 1, 1))  # noqa: DTZ001 - a VTIMEZONE onset is local time
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", datetime(year, 1, 1, tzinfo=zone).tzname() or tzid)
        component.add_component(standard)
        return component
    rules = [(when.month, _byday(when.date()), when) for when, _old, _new in changes]
    if len(changes) != 2 or not _rules_fit(zone, year, rules):
        return _listed(zone, tzid, year)
    for (when, old, new), (month, byday, _first) in zip(changes, rules, strict=True):
        onset = datetime.combine(_date_of(_EPOCH_YEAR, month, byday), when.time())
        part = _onset(zone, tzid, onset, old, new, original=when)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": byday})
        component.add_component(part)
    return component


def _onset(
    zone: ZoneInfo, tzid: str, wall: datetime, old: timedelta, new: timedelta, *, original: datetime
) -> TimezoneStandard | TimezoneDaylight:
    """One change: at local time ``wall`` (in ``old``) the offset becomes ``new``."""
    part = TimezoneDaylight() if new > old else TimezoneStandard()
    part.add("dtstart", wall)
    part.add("tzoffsetfrom", old)
    part.add("tzoffsetto", new)
    after = (original - old).replace(tzinfo=UTC) + timedelta(hours=1)
    part.add("tzname", after.astimezone(zone).tzname() or tzid)
    return part


def _listed(zone: ZoneInfo, tzid: str, year: int) -> Timezone:
    """Each change from last year to five years ahead, after the offset last year began with."""
    component = Timezone()
    component.add("tzid", tzid)
    first = datetime(year - 1, 1, 1, tzinfo=zone)
    offset = first.utcoffset() or timedelta(0)
    start = datetime(_EPOCH_YEAR, 1, 1)  # noqa: DTZ001 - a VTIMEZONE onset is local time
    component.add_component(_onset(zone, tzid, start, offset, offset, original=first.replace(tzinfo=None)))
    for later in range(year - 1, year + 6):
        for when, old, new in _transitions(zone, later):
            component.add_component(_onset(zone, tzid, when, old, new, original=when))
    return component
