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


@pytest.mark.django_db
def test_an_inline_builds_its_empty_form_once_per_page(tenant_a, client_for):
    from django.forms.formsets import BaseFormSet

    campaign = make_campaign(tenant_a, "Summer")
    make_quest(tenant_a, campaign, "Only quest")
    client = client_for(tenant_a.staff, tenant_a.workspace)
    original = BaseFormSet.empty_form
    built = []

    def counting(formset):
        built.append(formset.prefix)
        return original.fget(formset)

    with mock.patch.object(BaseFormSet, "empty_form", property(counting)):
        add = client.get("/admin/campaigns/campaign/add/")
        assert add.status_code == 200
        # Before issue 19: six per inline on the add form (headers, media, multipart check, template row...).
        assert sorted(built) == ["cohort_targets", "quests"]
        built.clear()
        change = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
        assert change.status_code == 200 and sorted(built) == ["cohort_targets", "quests"]
    # The "Add another" template rows are still there, once per inline.
    body = add.content.decode()
    assert 'id="quests-empty"' in body and 'id="cohort_targets-empty"' in body
    assert body.count('name="quests-__prefix__-title"') == 1


@pytest.mark.django_db
def test_the_signed_version_holds_what_each_field_shows(tenant_a):
    from django.core import signing
    from django.forms import modelform_factory

    from campaigns.models import Campaign, CampaignQuest
    from raptorflow.concurrency import _SALT, _shown
    from raptorflow.forms import TenantModelForm

    campaign = make_campaign(tenant_a, "Autumn <sale>", budget=decimal.Decimal("1000"))
    quest = make_quest(tenant_a, campaign, "Post & share")
    with tenant_a.context():
        for model, row in ((Campaign, campaign), (CampaignQuest, quest)):
            row = model.objects.get(pk=row.pk)
            form = modelform_factory(model, form=TenantModelForm, fields="__all__")(instance=row, workspace=tenant_a.workspace)
            opened = signing.loads(form.initial["opened_version"], salt=_SALT)
            # The per-field way the version was computed before issue 19, field by field.
            expected = {name: _shown(form, name, row) for name in form._compared_fields()}
            assert opened == {"at": row.updated_at.isoformat(), "values": expected}
            assert len(expected) >= 5


SELECTS = [
    forms.Select(choices=[("a", "A <b>"), ("b", gettext_lazy("Draft")), (3, 3), ("", "---------")]),
    forms.Select(choices=[("Group <1>", [("x", "X"), ("y", "Y & Z")]), ("z", "Zed")], attrs={"class": "c", "disabled": True}),
    forms.SelectMultiple(choices=[(1, "one"), (2, "two"), (3, "three")]),
    forms.NullBooleanSelect(),
]


@pytest.mark.parametrize("widget", SELECTS, ids=lambda w: type(w).__name__)
def test_selects_render_what_the_includes_rendered(widget):
    renderer = get_default_renderer()
    assert renderer.fast_option
    values = [None, "a", "y", 3, "unknown", True] + ([[1, 3]] if widget.allow_multiple_selected else [])
    for value in values:
        fast = widget.render("s", value, attrs={"id": "id_s"}, renderer=renderer)
        with mock.patch("raptorflow.templatetags.rf_widgets._fast", return_value=False):
            slow = widget.render("s", value, attrs={"id": "id_s"}, renderer=renderer)
        assert fast == slow, (widget, value)
        # And Django's own select.html (the project's adds a script only to selectfilter boxes).
        from django.forms.renderers import DjangoTemplates

        assert fast == widget.render("s", value, attrs={"id": "id_s"}, renderer=DjangoTemplates())


def test_the_admin_split_datetime_renders_what_its_includes_rendered():
    from django.contrib.admin.widgets import AdminSplitDateTime

    widget, renderer = AdminSplitDateTime(), get_default_renderer()
    for value in (None, datetime.datetime(2026, 11, 29, 4, 5, 6), ["2026-11-29", "bad <time>"]):
        fast = widget.render("due_at", value, attrs={"id": "id_due_at"}, renderer=renderer)
        with mock.patch("raptorflow.templatetags.rf_widgets._fast", return_value=False):
            slow = widget.render("due_at", value, attrs={"id": "id_due_at"}, renderer=renderer)
        assert fast == slow and 'for="id_due_at_0"' in fast


def test_error_lists_render_as_before_empty_or_not():
    from django.forms.utils import ErrorList

    fast, templates = get_default_renderer(), TemplatesSetting()
    assert fast.fast_error_lists
    for messages, kwargs in (([], {}), (["Bad <value>", "Another"], {"field_id": "id_f"}), (["x"], {"error_class": "nonfield"})):
        a, b = ErrorList(messages, renderer=fast, **kwargs), ErrorList(messages, renderer=templates, **kwargs)
        assert a.as_ul() == b.as_ul() and str(a) == str(b)
        assert (a.as_ul() == "") == (not messages)


class _Form(forms.Form):
    name = forms.CharField(max_length=3)
    when = forms.SplitDateTimeField(required=False)


def test_a_form_with_errors_renders_as_before():
    data = {"name": "toolong<", "when_0": "nope", "when_1": ""}
    fast = _Form(data, renderer=get_default_renderer())
    slow = _Form(data, renderer=TemplatesSetting())
    assert not fast.is_valid() and not slow.is_valid()
    assert str(fast) == str(slow) and "errorlist" in str(fast)
    assert str(fast["name"].errors) == str(slow["name"].errors)


@pytest.mark.django_db
def test_module_permissions_are_remembered_only_as_long_as_djangos_permission_cache(tenant_a):
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from raptorflow.models import User

    user = User.objects.get(pk=tenant_a.marketer.pk)
    assert user.has_module_perms("campaigns") is False  # a marketer has no model permissions
    with mock.patch.object(ModelBackend, "has_module_perms", autospec=True, side_effect=ModelBackend.has_module_perms) as spy:
        for _ in range(5):
            assert user.has_module_perms("campaigns") is False
        assert spy.call_count == 0  # remembered: the admin asks once per model on every page
    # Granted a permission: Django's own cache still answers as before on this instance...
    user.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    assert user.has_perm("campaigns.view_campaign") is False and user.has_module_perms("campaigns") is False
    # ...and code that drops Django's cache to see the change gets a fresh answer from both.
    del user._perm_cache, user._user_perm_cache
    assert user.has_perm("campaigns.view_campaign") is True and user.has_module_perms("campaigns") is True
    # Inactive or superuser: Django's answers.
    user.is_active = False
    assert user.has_module_perms("campaigns") is False
    user.is_active, user.is_superuser = True, True
    assert user.has_module_perms("anything") is True
    assert User.objects.get(pk=tenant_a.staff.pk).has_module_perms("campaigns") is True
