"""The project's form renderer: Django's ``TemplatesSetting``, with the plain ``<input>`` widgets written in Python.

Issue 19: an admin change form with its inlines renders a hundred widgets or more
(each quest row: title, parent, position, status, XP, due date and time, hidden
keys), and every text, number, hidden, date or time input is three template
renders: ``text.html`` includes ``input.html``, which includes ``attrs.html``,
each with its variable lookups and escaping. This renderer writes those inputs
with the same code the templates run (the same ``stringformat`` filter, the same
escaping), byte for byte the same markup, for a fraction of the cost.

Only where the templates are Django's own, unchanged: on first use it loads every
template it would replace and compares its source and origin with Django's; a
project override (templates/django/forms/widgets/...) or another Django version's
templates turn the fast path off for that template, which then renders as before.
Anything unusual (a callable value, which a template would call; a non-string
name or type; a context that is not a plain dict) also takes the template. The
check is made once per renderer, so once per process (Django keeps one default
renderer): a template override added while a development server runs counts
from its next restart. An empty error list (every cell of an admin inline row
renders one) is the empty string without its template, likewise only while
Django's error list templates are its own.
``tests/test_render_cost.py`` compares the two renderings (docs/performance-rendering.md).
"""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorList
from django.template import TemplateDoesNotExist
from django.template.defaultfilters import stringformat
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

# Django 5.2's templates, exactly: the fast path renders what these render.
INPUT_SOURCE = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
    " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n'
)
ATTRS_SOURCE = (
    "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
)
INCLUDES_INPUT_SOURCE = '{% include "django/forms/widgets/input.html" %}\n'
# The widget templates that are nothing but an include of input.html in Django.
INPUT_TEMPLATES = tuple(
    f"django/forms/widgets/{name}.html"
    for name in (
        "text", "number", "email", "url", "password", "hidden", "date", "time", "datetime", "search", "tel", "color", "checkbox",
    )
)

ERRORS_UL_TEMPLATE = "django/forms/errors/list/ul.html"
ERRORS_UL_SOURCE = (
    '{% if errors %}<ul class="{{ error_class }}"{% if errors.field_id %} id="{{ errors.field_id }}_error"{% endif %}>'
    "{% for error in errors %}<li>{{ error }}</li>{% endfor %}</ul>{% endif %}"
)
ERRORS_DEFAULT_TEMPLATE = "django/forms/errors/list/default.html"
ERRORS_DEFAULT_SOURCE = '{% include "django/forms/errors/list/ul.html" %}'

_DJANGO_TEMPLATES = Path(django.forms.__file__).resolve().parent / "templates"


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` in an autoescaped template."""
    text = stringformat(value, "s")
    # stringformat is is_safe: its output of a safe string stays safe, anything else is escaped.
    return str(text) if isinstance(value, SafeData) else conditional_escape(text)


def render_attrs(attrs: dict) -> str | None:
    """What ``attrs.html`` renders for ``attrs``, or None where only the template can say."""
    parts = []
    for name, value in attrs.items():
        if callable(value) or not isinstance(name, str):
            return None
        if value is False:
            continue
        parts.append(" " + conditional_escape(name))
        if value is not True:
            parts.append('="' + _formatted(value) + '"')
    return "".join(parts)


def render_input(widget: dict) -> str | None:
    """What ``input.html`` renders for the widget's context, or None where only the template can say."""
    kind, name, value, attrs = widget.get("type"), widget.get("name"), widget.get("value"), widget.get("attrs")
    if not isinstance(kind, str) or not isinstance(name, str) or callable(value) or not isinstance(attrs, dict):
        return None
    rendered_attrs = render_attrs(attrs)
    if rendered_attrs is None:
        return None
    shown = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 (the template's `!= None`)
    return f'<input type="{conditional_escape(kind)}" name="{conditional_escape(name)}"{shown}{rendered_attrs}>'


class RaptorFlowFormRenderer(TemplatesSetting):
    """``TemplatesSetting`` (widget templates from templates/ too), plain inputs without the template engine."""

    def _is_djangos(self, template_name: str, source: str) -> bool:
        try:
            template = self.get_template(template_name)
        except TemplateDoesNotExist:
            return False
        inner = getattr(template, "template", None)
        origin = getattr(getattr(inner, "origin", None), "name", None)
        if origin is None or getattr(inner, "source", None) != source:
            return False
        return Path(origin).resolve().is_relative_to(_DJANGO_TEMPLATES)

    @cached_property
    def fast_templates(self) -> frozenset[str]:
        """The input templates this renderer writes itself: those that are Django's own, unchanged."""
        if not (self._is_djangos("django/forms/widgets/input.html", INPUT_SOURCE)
                and self._is_djangos("django/forms/widgets/attrs.html", ATTRS_SOURCE)):
            return frozenset()
        names = {"django/forms/widgets/input.html"}
        names.update(name for name in INPUT_TEMPLATES if self._is_djangos(name, INCLUDES_INPUT_SOURCE))
        return frozenset(names)

    @cached_property
    def fast_option(self) -> bool:
        """Whether ``select_option.html`` is Django's own too (and so is attrs.html)."""
        return bool(self.fast_templates) and self._is_djangos(SELECT_OPTION_TEMPLATE, SELECT_OPTION_SOURCE)

    @cached_property
    def fast_error_lists(self) -> frozenset[str]:
        """The error list templates that write nothing for an empty list: Django's own, unchanged."""
        if not self._is_djangos(ERRORS_UL_TEMPLATE, ERRORS_UL_SOURCE):
            return frozenset()
        names = {ERRORS_UL_TEMPLATE}
        if self._is_djangos(ERRORS_DEFAULT_TEMPLATE, ERRORS_DEFAULT_SOURCE):
            names.add(ERRORS_DEFAULT_TEMPLATE)
        return frozenset(names)

    def render(self, template_name, context, request=None):
        # A field without errors: the admin writes {{ field.errors.as_ul }} in every cell of every row,
        # and Django renders the template, whose {% if errors %} then writes nothing.
        if template_name in self.fast_error_lists and type(context) is dict:
            errors = context.get("errors")
            if isinstance(errors, ErrorList) and len(errors) == 0:
                return ""
        if template_name in self.fast_templates and type(context) is dict and type(context.get("widget")) is dict:
            rendered = render_input(context["widget"])
            if rendered is not None:
                return rendered
        return super().render(template_name, context, request=request)


# ------------------------------------------------------------ includes inside the project's widget templates
# templates/django/forms/widgets/select.html and templates/admin/widgets/split_datetime.html include
# Django's option, input and attrs templates once per option or subwidget; the tags of
# raptorflow/templatetags/rf_widgets.py write what those includes write, through the functions below.

SELECT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
SELECT_OPTION_SOURCE = (
    "<option value=\"{{ widget.value|stringformat:'s' }}\"{% include \"django/forms/widgets/attrs.html\" %}>"
    "{{ widget.label }}</option>\n"
)


def render_option(widget: dict) -> str | None:
    """What ``select_option.html`` renders (without its closing newline), or None where only the template can say."""
    label, value, attrs = widget.get("label"), widget.get("value"), widget.get("attrs")
    # Text or lazy text (choices' labels): the template shows str(label), escaped. Anything else would
    # go through localisation (a number's separators): the template says.
    if not isinstance(label, (str, Promise)) or callable(value) or not isinstance(attrs, dict):
        return None
    rendered_attrs = render_attrs(attrs)
    if rendered_attrs is None:
        return None
    return f'<option value="{_formatted(value)}"{rendered_attrs}>{conditional_escape(label)}</option>'


def included_widget(renderer, widget) -> str | None:
    """What ``{% include widget.template_name with widget=widget %}`` writes, or None where only the template can say.

    An included template keeps its file's closing newline: input.html's one, plus one
    more for a template that includes input.html (date.html, time.html, ...).
    """
    if not isinstance(renderer, RaptorFlowFormRenderer) or type(widget) is not dict:
        return None
    name = widget.get("template_name")
    if name == SELECT_OPTION_TEMPLATE and renderer.fast_option:
        rendered = render_option(widget)
        return None if rendered is None else rendered + "\n"
    if name in renderer.fast_templates:
        rendered = render_input(widget)
        if rendered is None:
            return None
        return rendered + ("\n" if name == "django/forms/widgets/input.html" else "\n\n")
    return None
