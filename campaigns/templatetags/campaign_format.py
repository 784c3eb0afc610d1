"""Formats shared by the campaign pages: dates that name the year when it is not this one.

``{{ quest.due_at|short_date }}`` reads "1 Mar" this year and "1 Mar 2028" in
any other; ``short_datetime`` adds the time ("1 Mar 2028, 09:00"). Aware
datetimes are shown in the current time zone, as Django's ``date`` filter does.
"""

import datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.timezone import template_localtime

register = template.Library()


def _format(value, with_time: bool) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    pattern = "j M" if value.year == timezone.localdate().year else "j M Y"
    if with_time and isinstance(value, datetime.datetime):
        pattern += ", H:i"
    return dateformat.format(value, pattern)


@register.filter
def short_date(value) -> str:
    return _format(value, with_time=False)


@register.filter
def short_datetime(value) -> str:
    return _format(value, with_time=True)

