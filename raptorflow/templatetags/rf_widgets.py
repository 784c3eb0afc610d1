"""Tags for the project's widget templates: Django's includes of its option, input and attrs templates, written in Python.

``{% rf_attrs %}`` writes what ``{% include "django/forms/widgets/attrs.html" %}`` writes, and
``{% rf_include option %}`` what ``{% include option.template_name with widget=option %}`` writes,
byte for byte (issue 19: a select renders one include per option, and each option one more for its
attributes). Only while Django's templates are its own, unchanged, and only for plain values
(:mod:`raptorflow.form_renderer` says which); otherwise they include the template as before.
"""

from __future__ import annotations

from django import template
from django.forms.renderers import get_default_renderer

from raptorflow.form_renderer import included_widget, render_attrs

register = template.Library()

ATTRS_TEMPLATE = "django/forms/widgets/attrs.html"


def _fast(context) -> bool:
    renderer = get_default_renderer()
    return context.autoescape and bool(getattr(renderer, "fast_templates", None))


class AttrsNode(template.Node):
    def render(self, context):
        widget = context.get("widget")
        if _fast(context) and type(widget) is dict and type(widget.get("attrs")) is dict:
            rendered = render_attrs(widget["attrs"])
            if rendered is not None:
                return rendered
        return context.template.engine.get_template(ATTRS_TEMPLATE).render(context)


class IncludeWidgetNode(template.Node):
    def __init__(self, widget):
        self.widget = widget

    def render(self, context):
        widget = self.widget.resolve(context)
        if _fast(context):
            rendered = included_widget(get_default_renderer(), widget)
            if rendered is not None:
                return rendered
        included = context.template.engine.get_template(widget["template_name"])
        with context.push(widget=widget):
            return included.render(context)


@register.tag
def rf_attrs(parser, token):
    """``{% rf_attrs %}``: ``{% include "django/forms/widgets/attrs.html" %}``."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("rf_attrs takes no arguments")
    return AttrsNode()


@register.tag
def rf_include(parser, token):
    """``{% rf_include w %}``: ``{% include w.template_name with widget=w %}``."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("rf_include takes one widget")
    return IncludeWidgetNode(parser.compile_filter(bits[1]))
