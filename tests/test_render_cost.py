"""The admin and marketer pages render the same markup for less CPU (issue 19, docs/performance-rendering.md).

Each optimisation is pinned by what the user sees staying the same: the fast
input renderer against Django's templates, widget by widget and page by page,
and the admin's app list built once per request with the same links.
"""

from __future__ import annotations

import datetime
import decimal
import re
from unittest import mock

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from campaigns.tests.factories import make_campaign, make_quest
from raptorflow.admin_site import RaptorFlowAdminSite
from raptorflow.form_renderer import RaptorFlowFormRenderer

WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"placeholder": gettext_lazy("Search"), "data-x": '"<&>\'', "required": True, "disabled": False}),
    forms.NumberInput(attrs={"min": 0, "step": decimal.Decimal("0.01")}),
    forms.HiddenInput(),
    forms.EmailInput(attrs={"maxlength": 254, "autofocus": True}),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.DateInput(attrs={"class": "vDateField", "size": "10"}),
    forms.TimeInput(format="%H:%M"),
    forms.DateTimeInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.CheckboxInput(),
    forms.CheckboxInput({"class": "action-select", "aria-label": "Select <this>"}, lambda value: False),
]
VALUES = [
    None, "", "plain", 'quo"te <b>&amp;</b>', mark_safe("<i>safe</i>"), 0, 12, -3.5, decimal.Decimal("1000.00"),
    datetime.date(2026, 11, 29), datetime.datetime(2026, 11, 29, 4, 5, 6), datetime.time(4, 5), ("a", "b"),
    gettext_lazy("Draft"), True, False,
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
def test_the_fast_renderer_writes_what_djangos_templates_write(widget):
    fast, templates = RaptorFlowFormRenderer(), TemplatesSetting()
    assert widget.template_name in fast.fast_templates  # the fast path is on for Django's own templates
    for value in VALUES:
        for attrs in (None, {"id": "id_f"}, {"id": "id_f", "aria-describedby": "id_f_helptext", "checked": True}):
            expected = widget.render("f<x>", value, attrs=attrs, renderer=templates)
            assert widget.render("f<x>", value, attrs=attrs, renderer=fast) == expected, (widget, value, attrs)


def test_the_project_renderer_is_the_fast_one_and_other_widgets_still_use_templates():
    renderer = get_default_renderer()
    assert isinstance(renderer, RaptorFlowFormRenderer)
    # Templates the project overrides or that are not a bare input are never short-cut.
    assert "django/forms/widgets/select.html" not in renderer.fast_templates
    assert "django/forms/widgets/radio_option.html" not in renderer.fast_templates
    select = forms.Select(choices=[("a", "A <b>"), ("b", "B")])
    assert select.render("s", "a", renderer=renderer) == select.render("s", "a", renderer=TemplatesSetting())


def test_a_changed_input_template_turns_the_fast_path_off():
    renderer = RaptorFlowFormRenderer()
    with mock.patch("raptorflow.form_renderer.INPUT_SOURCE", "something else"):
        assert renderer.fast_templates == frozenset()


def test_a_callable_value_is_left_to_the_template():
    # A template calls a callable it looks up; the fast path does not guess.
    widget = forms.TextInput(attrs={"data-v": lambda: "called"})
    fast = widget.render("f", "x", renderer=RaptorFlowFormRenderer())
    assert fast == widget.render("f", "x", renderer=TemplatesSetting()) and 'data-v="called"' in fast


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'(name="[^"]*opened_version" value=")[^"]+', r"\1", body)


@pytest.mark.django_db
def test_admin_and_marketer_forms_render_the_same_with_either_renderer(tenant_a, client_for):
    campaign = make_campaign(tenant_a, "Spring <launch>")
    for n in range(3):
        make_quest(tenant_a, campaign, f"Quest {n} & more")
    staff = client_for(tenant_a.staff, tenant_a.workspace)
    marketer = client_for(tenant_a.marketer, tenant_a.workspace)
    pages = [
        (staff, "/admin/campaigns/campaign/add/"),
        (staff, f"/admin/campaigns/campaign/{campaign.pk}/change/"),
        (staff, "/admin/campaigns/campaign/"),
        (staff, "/admin/campaigns/campaignquest/"),
        (marketer, "/campaigns/new/"),
        (marketer, f"/campaigns/{campaign.pk}/"),
    ]
    fast = [_page(client, url) for client, url in pages]
    get_default_renderer.cache_clear()
    try:
        with override_settings(FORM_RENDERER="django.forms.renderers.TemplatesSetting"):
            get_default_renderer.cache_clear()
            slow = [_page(client, url) for client, url in pages]
    finally:
        get_default_renderer.cache_clear()
    for (_, url), a, b in zip(pages, fast, slow):
        assert a == b, url
    assert "Quest 2 &amp; more" in fast[1]


@pytest.mark.django_db
def test_the_admin_index_builds_its_app_list_once(tenant_a, client_for):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    build = RaptorFlowAdminSite._build_app_dict
    with mock.patch.object(RaptorFlowAdminSite, "_build_app_dict", autospec=True, side_effect=build) as spy:
        response = client.get("/admin/")
    assert response.status_code == 200
    # Before issue 19: twice (the sidebar's available_apps and the index's app_list).
    assert spy.call_count == 1
    # Both show the same apps: the body's list and the sidebar's.
    assert response.context["app_list"] is response.context["available_apps"]
    body = response.content.decode()
    assert body.count('href="/admin/campaigns/campaign/"') >= 2  # the index's row and the sidebar's
    # An app's own index still builds its own list.
    assert client.get("/admin/campaigns/").status_code == 200
