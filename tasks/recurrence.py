"""Repeating tasks: the RRULEs TMS takes, the next occurrence, and the rule in words.

A task repeats on days: its rule (RFC 5545, without the ``RRULE:`` prefix) says on which
local dates of its owner's time zone it comes back, and ``due_time`` stays the time of
day. Occurrences are computed on dates, never on instants, so 09:00 in Europe/Paris
stays 09:00 across a change of summer time, and "the last day of the month" is the
28th or 29th in February.

The rule is evaluated from the task's current due date (or, for the ``completion``
basis, from the day it was done), not from the first occurrence: what the task needs
to know about its past is how many occurrences were done (``recurrence_done``), which
is what ``COUNT`` is compared with.
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

MAX_LENGTH = 500
MAX_INTERVAL = 999
MAX_COUNT = 1000

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# In the order a normalised rule writes them.
PARTS = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "COUNT", "UNTIL")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_UNSUPPORTED = ("BYSETPOS", "BYYEARDAY", "BYWEEKNO", "WKST", "BYEASTER", "DTSTART", "RDATE", "EXDATE")

WEEKDAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$")
# Where a rule must have an occurrence to be accepted: 28 years hold every calendar of a year
# (each weekday of every date, leap years included).
_PROBE_START = datetime.date(2024, 1, 1)
_PROBE_DAYS = (datetime.date(2052, 1, 1) - _PROBE_START).days
_WEEKDAY_INDEX = {day: index for index, day in enumerate(WEEKDAYS)}


class RuleInvalid(ValueError):
    """A rule TMS does not take; its message says why, for a 400 on ``recurrence``."""


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int | None, str], ...] = ()  # (ordinal or None, "MO".."SU")
    count: int | None = None
    until: datetime.date | None = None

    def text(self) -> str:
        """The normalised rule: its parts in one order, defaults left out."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.bymonth:
            parts.append("BYMONTH=" + ",".join(map(str, self.bymonth)))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.bymonthday)))
        if self.byday:
            parts.append("BYDAY=" + ",".join(f"{n or ''}{day}" for n, day in self.byday))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        return ";".join(parts)


def _numbers(name: str, value: str, low: int, high: int, *, zero: bool = False) -> tuple[int, ...]:
    numbers = []
    for item in value.split(","):
        try:
            number = int(item)
        except ValueError:
            raise RuleInvalid(
                f"{name} takes whole numbers from {low} to {high}; {item!r} is not one."
            ) from None
        if not low <= number <= high or (number == 0 and not zero):
            raise RuleInvalid(f"{name} takes numbers from {low} to {high} (not 0); {number} is not one.")
        numbers.append(number)
    return tuple(dict.fromkeys(numbers))


def _byday(value: str, freq: str) -> tuple[tuple[int | None, str], ...]:
    days: list[tuple[int | None, str]] = []
    for item in value.split(","):
        match = _BYDAY.match(item)
        if match is None:
            raise RuleInvalid(
                "BYDAY takes days MO, TU, WE, TH, FR, SA, SU, optionally numbered (2TU, -1FR);"
                f" {item!r} is not one."
            )
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None:
            limit = 5 if freq == "MONTHLY" else 53
            if freq not in ("MONTHLY", "YEARLY"):
                raise RuleInvalid("A numbered day (such as -1FR) needs FREQ=MONTHLY or FREQ=YEARLY.")
            if ordinal == 0 or abs(ordinal) > limit:
                raise RuleInvalid(
                    f"A numbered day counts from 1 to {limit} (or -1 to -{limit} from the end)."
                )
        days.append((ordinal, match.group(2)))
    return tuple(dict.fromkeys(days))


def _until(value: str) -> datetime.date:
    match = _UNTIL.match(value)
    if match is None:
        raise RuleInvalid("UNTIL is a date written YYYYMMDD (or YYYYMMDDTHHMMSSZ).")
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise RuleInvalid(f"UNTIL {value} is not a date.") from None


def _split(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        if not sep or not name or not value:
            raise RuleInvalid(f"Each part of a rule is NAME=VALUE, separated by ';'; {piece!r} is not.")
        if name in parts:
            raise RuleInvalid(f"{name} is given twice.")
        parts[name] = value
    return parts


def _check_names(parts: dict[str, str]) -> None:
    for name in parts:
        if name in _TIME_PARTS:
            raise RuleInvalid(
                f"{name} is not taken: a task repeats on days, and its due_time is the time of day."
            )
        if name in _UNSUPPORTED or name not in PARTS:
            raise RuleInvalid(
                f"{name} is not taken; a rule uses FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, COUNT"
                " and UNTIL."
            )
    for name in ("INTERVAL", "COUNT"):
        if "," in parts.get(name, ""):
            raise RuleInvalid(f"{name} is one number.")


def parse(text: str) -> Rule:
    """The rule in ``text``, or RuleInvalid saying what TMS does not take."""
    if len(text) > MAX_LENGTH:
        raise RuleInvalid(f"A rule has at most {MAX_LENGTH} characters.")
    text = text.strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts = _split(text)
    _check_names(parts)
    freq = parts.get("FREQ")
    if freq is None:
        raise RuleInvalid("A rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY).")
    if freq not in FREQUENCIES:
        raise RuleInvalid(f"FREQ is DAILY, WEEKLY, MONTHLY or YEARLY; not {freq}.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleInvalid("A rule ends with COUNT or with UNTIL, not both.")
    rule = Rule(
        freq=freq,
        interval=_numbers("INTERVAL", parts["INTERVAL"], 1, MAX_INTERVAL)[0] if "INTERVAL" in parts else 1,
        bymonth=tuple(sorted(_numbers("BYMONTH", parts["BYMONTH"], 1, 12))) if "BYMONTH" in parts else (),
        bymonthday=_numbers("BYMONTHDAY", parts["BYMONTHDAY"], -31, 31) if "BYMONTHDAY" in parts else (),
        byday=_byday(parts["BYDAY"], freq) if "BYDAY" in parts else (),
        count=_numbers("COUNT", parts["COUNT"], 1, MAX_COUNT)[0] if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
    )
    if freq == "WEEKLY" and rule.bymonthday:
        raise RuleInvalid("BYMONTHDAY does not go with FREQ=WEEKLY.")
    _probe(rule)
    return rule


def _rrule(rule: Rule, start: datetime.date) -> rrule:
    """The dateutil rule from ``start`` (naive local midnight), without COUNT (TMS counts itself)."""
    text = rule.text()
    text = ";".join(part for part in text.split(";") if not part.startswith(("COUNT=", "UNTIL=")))
    result = rrulestr(text, dtstart=datetime.datetime.combine(start, datetime.time()))
    if not isinstance(result, rrule):  # a single RRULE without RDATE/EXDATE is never a set
        raise RuleInvalid("A rule is one RRULE.")
    return result


def _month_days(day: datetime.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _day_matches(rule: Rule, day: datetime.date) -> bool:
    """Whether ``day`` passes the rule's BYMONTH, BYMONTHDAY and BYDAY (RFC 5545), whatever its period."""
    if rule.bymonth and day.month not in rule.bymonth:
        return False
    last = _month_days(day)
    if rule.bymonthday and not any(d == day.day or last + d + 1 == day.day for d in rule.bymonthday):
        return False
    if not rule.byday:
        return True
    in_month = rule.freq == "MONTHLY" or bool(rule.bymonth)
    if in_month:
        number, count = day.day, last
    else:
        number, count = day.timetuple().tm_yday, 366 if calendar.isleap(day.year) else 365
    for ordinal, weekday in rule.byday:
        if day.weekday() != _WEEKDAY_INDEX[weekday]:
            continue
        if ordinal is None:
            return True
        nth = (number - 1) // 7 + 1 if ordinal > 0 else -((count - number) // 7 + 1)
        if nth == ordinal:
            return True
    return False


def _probe(rule: Rule) -> None:
    """Refuse a rule that no date matches (30 February, the first of a month on its second Monday),
    before anyone completes it. A scan of dates, not dateutil: dateutil looks for a match up to the
    year 9999, seconds of work for a rule that has none."""
    if rule.freq == "DAILY" and rule.byday and rule.interval % 7 == 0:
        # Every 7th day is one weekday: it would match BYDAY or never, by the due date's weekday.
        raise RuleInvalid("Every 7th day (or 14th…) with BYDAY: use FREQ=WEEKLY with its INTERVAL.")
    if not any(_day_matches(rule, _PROBE_START + datetime.timedelta(days=n)) for n in range(_PROBE_DAYS)):
        raise RuleInvalid("This rule never comes round (no date matches it).")


def normalise(text: str) -> str:
    """The rule as TMS stores it ("" for none); RuleInvalid for one it does not take."""
    if not text or not text.strip():
        return ""
    return parse(text).text()


@functools.lru_cache(maxsize=512)
def parsed(text: str) -> Rule | None:
    """A stored (already valid) rule, parsed once per process."""
    try:
        return parse(text) if text else None
    except RuleInvalid:
        return None


@dataclass(frozen=True)
class Occurrence:
    due_date: datetime.date
    due_time: datetime.time | None
    due_at: datetime.datetime | None


def zone_of(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        return ZoneInfo("UTC")


def local_moment(
    due_date: datetime.date, due_time: datetime.time | None, time_zone: str
) -> datetime.datetime | None:
    """``due_time`` on ``due_date`` in ``time_zone``, in UTC; None without a time.

    A time that a change to summer time skips (02:30 in Paris on the last Sunday of March)
    is read with the offset before the change, so it lands as many minutes after the gap; a time
    that happens twice in autumn is the first of the two. None too for a moment that falls outside
    the years 1–9999 in UTC (a time on 1 January of year 1 east of Greenwich): a date-only task then.
    """
    if due_time is None:
        return None
    local = datetime.datetime.combine(due_date, due_time, tzinfo=zone_of(time_zone))
    try:
        return local.astimezone(datetime.UTC)
    except OverflowError:
        return None


def next_occurrence(
    rule: str,
    basis: str,
    due_date: datetime.date,
    due_time: datetime.time | None,
    completed_on: datetime.date,
    time_zone: str,
    occurrences_done: int,
) -> Occurrence | None:
    """The occurrence after the one being completed, or None when the rule is exhausted.

    ``basis`` ``due``: the first date of the rule after ``due_date``; ``completion``: the first
    after the day it was done (``completed_on``, a local date), and after ``due_date`` too, so
    completing early still moves the task on. ``occurrences_done`` counts the occurrences
    completed before this one (COUNT=n allows n in all).
    """
    parsed_rule = parsed(rule)
    if parsed_rule is None:
        return None
    if parsed_rule.count is not None and occurrences_done + 1 >= parsed_rule.count:
        return None
    start = completed_on if basis == "completion" else due_date
    dates = _rrule(parsed_rule, start)
    floor = datetime.datetime.combine(max(start, due_date), datetime.time())
    following = dates.after(floor, inc=False)
    if following is None:
        return None
    next_date = following.date()
    if parsed_rule.until is not None and next_date > parsed_rule.until:
        return None
    return Occurrence(next_date, due_time, local_moment(next_date, due_time, time_zone))


# -- in words ------------------------------------------------------------------------------------------
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _nth(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _monthday(day: int) -> str:
    if day == -1:
        return "the last day"
    if day < 0:
        return f"the {_nth(-day)}-to-last day" if day != -2 else "the second-to-last day"
    return f"the {_nth(day)}"


def _weekday(ordinal: int | None, day: str) -> str:
    name = WEEKDAYS[day]
    if ordinal is None:
        return name
    if ordinal == -1:
        return f"the last {name}"
    if ordinal < 0:
        return f"the {_ORDINALS.get(-ordinal, _nth(-ordinal))}-to-last {name}"
    return f"the {_ORDINALS.get(ordinal, _nth(ordinal))} {name}"


def _every(rule: Rule) -> str:
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[rule.freq]
    return f"every {unit}" if rule.interval == 1 else f"every {rule.interval} {unit}s"


def _when(rule: Rule) -> str:
    months = [MONTHS[month - 1] for month in rule.bymonth]
    days = [_weekday(ordinal, day) for ordinal, day in rule.byday]
    monthdays = [_monthday(day) for day in rule.bymonthday]
    if rule.freq == "YEARLY" and len(months) == 1 and rule.bymonthday and not days:
        if all(day > 0 for day in rule.bymonthday):
            return " on " + _and([str(day) for day in rule.bymonthday]) + f" {months[0]}"
        return " on " + _and(monthdays) + f" of {months[0]}"
    text = ""
    if monthdays:
        text += " on " + _and(monthdays)
    if days:
        text += (" and " if monthdays else " on ") + _and(days)
    if months:
        text += (" of " if rule.freq == "YEARLY" and text else " in ") + _and(months)
    return text


def recurrence_text(rule: str) -> str | None:
    """The rule in English ("every month on the last day", "every 2 weeks on Monday and Friday"), or None."""
    parsed_rule = parsed(rule)
    if parsed_rule is None:
        return None
    text = _every(parsed_rule) + _when(parsed_rule)
    if parsed_rule.count is not None:
        text += ", once" if parsed_rule.count == 1 else f", {parsed_rule.count} times"
    if parsed_rule.until is not None:
        until = parsed_rule.until
        text += f", until {until.day} {MONTHS[until.month - 1][:3]} {until.year}"
    return text
