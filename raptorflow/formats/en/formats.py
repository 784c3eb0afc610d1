"""How dates and times are shown (Django date format syntax), for every English locale.

Django's own English formats mix "Nov. 28, 2026, 6 p.m." with the admin's
"2026-11-28 18:06"; staff read one unambiguous form, year always included,
24-hour clock. Input formats stay Django's.
"""

DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
