from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin, UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.models import Group
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from raptorflow import roles, services
from raptorflow.concurrency import OptimisticLockMixin, OptimisticModelForm
from raptorflow.forms import StorableJSONField, TenantModelForm
from raptorflow.models import Cohort, User, Workspace, WorkspaceInvitation, WorkspaceMember
from raptorflow.pagination import EstimatedCountPaginator


class SafeAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that re-renders a form whose submitted value is not a valid key.

    Django's widget looks the submitted value up as a key of the related model
    to show it as selected; a value that is no uuid (hostile or mistyped input)
    raised while the form's errors were rendered: a 500 instead of the field's
    "Select a valid choice" error. Values the key field rejects are left out.
    """

    def optgroups(self, name, value, attr=None):
        key = self.field.remote_field.model._meta.get_field(
            getattr(self.field.remote_field, "field_name", None) or self.field.remote_field.model._meta.pk.name
        )
        usable = []
        for item in value:
            try:
                key.to_python(item)
            except (ValidationError, ValueError, TypeError):
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class SafeAutocompleteFields:
    """Every ``autocomplete_fields`` entry uses :class:`SafeAutocompleteSelect`; JSON fields refuse what jsonb cannot store."""

    formfield_overrides = {models.JSONField: {"form_class": StorableJSONField}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RoleWritePermissions(SafeAutocompleteFields):
    """Admin writes need the Django permission AND a role that writes the model's domain here.

    The one place the admin applies the role matrix (:mod:`raptorflow.roles`):
    every model admin and inline of workspace data derives from it, so adding,
    changing, deleting and every action (Django shows an action only to those
    with the permission it names) ask the membership role of the header's
    workspace. Staff status opens the admin; it grants no workspace.
    """

    def role_allows_write(self, request) -> bool:
        return roles.can_write(request, roles.domain_of(self.model))

    def has_add_permission(self, request, *args):
        return self.role_allows_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.role_allows_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.role_allows_write(request) and super().has_delete_permission(request, obj)


class OptimisticChangeForms:
    """Change forms save only over the version they were opened at (:mod:`raptorflow.concurrency`).

    The admin's form derives from :class:`~raptorflow.concurrency.OptimisticLockMixin`
    (:class:`~raptorflow.concurrency.OptimisticModelForm`, or
    :class:`~raptorflow.forms.TenantModelForm` for workspace data); ``manage.py check`` says so of one that does not.
    """

    form = OptimisticModelForm

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not issubclass(self.form, OptimisticLockMixin):
            errors.append(
                checks.Error(
                    "The form does not derive from OptimisticLockMixin: its change form would overwrite other saves unnoticed.",
                    hint="Derive it from raptorflow.forms.TenantModelForm or raptorflow.concurrency.OptimisticModelForm.",
                    obj=type(self),
                    id="raptorflow.E001",
                )
            )
        return errors


class WorkspaceForms:
    """The admin's forms of workspace data get the header's workspace as the pages' forms do.

    The one way a form learns its workspace: the constructor argument
    ``workspace`` of :class:`raptorflow.forms.TenantModelForm`. Django's admin
    constructs its forms itself, so ``get_form_kwargs`` names the arguments and
    they are given to the change form (bound in ``get_form``) and to the forms
    of every inline (the formset's ``form_kwargs``).
    """

    def get_form_kwargs(self, request, obj=None) -> dict:
        return {"workspace": request.workspace}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not issubclass(form, TenantModelForm):
            return form
        arguments = self.get_form_kwargs(request, obj)

        class AdminForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **{**arguments, **kwargs})

        AdminForm.__name__ = AdminForm.__qualname__ = form.__name__
        return AdminForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if issubclass(inline.form, TenantModelForm):
            kwargs["form_kwargs"] = {**kwargs.get("form_kwargs", {}), "workspace": request.workspace}
        return kwargs


class WorkspaceRows:
    """The rows of the header's workspace only (none without one): tenant model admins and inlines.

    RLS already limits every query to the current workspace; the explicit
    filter keeps the list on the workspace-leading indexes and hides the rows a
    policy shows for other reasons (a user's own memberships elsewhere).
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.workspace is None:
            return queryset.none()
        return queryset.filter(workspace_id=request.workspace.id)


class EstimatedCounts:
    """Long lists: the filtered count is exact up to ``exact_count_up_to`` rows and estimated beyond it
    (:class:`raptorflow.pagination.EstimatedCountPaginator`); the unfiltered total is never counted
    (docs/benchmarks.md)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    exact_count_up_to = EstimatedCountPaginator.exact_threshold

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, exact_threshold=self.exact_count_up_to)


class WorkspaceRoleAdmin(WorkspaceForms, OptimisticChangeForms, RoleWritePermissions, admin.ModelAdmin):
    """A model admin of workspace data whose queryset is its own affair (RLS still applies)."""


class OneEmptyFormSet(forms.BaseInlineFormSet):
    """An inline formset whose empty form (the template of "Add another" rows) is built once (issue 19).

    Django builds a new one on every read of ``formset.empty_form``: an admin
    page reads it for the columns' headers, the media, the multipart check and
    the template row, six times per inline on an add form, each a whole
    ``TenantModelForm`` (fields deep-copied, choices filtered to the workspace).
    Its arguments are fixed when the formset is made, so every read gets the same form.
    """

    @cached_property
    def empty_form(self):
        return super().empty_form


class WorkspaceRoleInline(WorkspaceRows, RoleWritePermissions, admin.TabularInline):
    """An inline of workspace data: rows of the header's workspace, writes by role, forms bound to the workspace."""

    form = TenantModelForm
    formset = OneEmptyFormSet
    extra = 0


class WorkspaceScopedAdmin(WorkspaceRows, EstimatedCounts, WorkspaceRoleAdmin):
    """Base admin for tenant models: rows of the header's workspace only (:class:`WorkspaceRows`).

    Its forms are :class:`~raptorflow.forms.TenantModelForm`: new rows take
    the header's workspace, choices are its rows, and the model's unique rules
    are shown next to their field. Lists count as :class:`EstimatedCounts` says.
    """

    form = TenantModelForm


# ---------------------------------------------------------------- accounts (platform superusers only)


class SuperuserOnly:
    """Accounts and groups are platform-wide: only a platform superuser manages them.

    A workspace's owners and admins manage *memberships* (members and
    invitations below); they never change someone's password, email, active
    or staff flag, or delete an account, since that account may reach other
    workspaces. Each person changes their own password on the account pages.
    """

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(User)
class UserAdmin(SuperuserOnly, DjangoUserAdmin):
    """Every account on the platform (superusers only)."""

    form = UserChangeForm
    add_form = AdminUserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_superuser", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SuperuserOnly, DjangoGroupAdmin):
    """Permission groups grant admin powers on every workspace's data: superusers only."""


# ---------------------------------------------------------------- workspaces


@admin.register(Workspace)
class WorkspaceAdmin(OptimisticChangeForms, admin.ModelAdmin):
    """The workspaces the staff member belongs to (all of them for superusers).

    Owners and admins rename their workspace; superusers create, deactivate
    and delete workspaces.
    """

    list_display = ("name", "slug", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(id__in=[m.workspace_id for m in request.memberships])

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else ("slug", "is_active")

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    def _manages(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return any(m.role in roles.MANAGER_ROLES for m in request.memberships)
        return any(m.workspace_id == obj.pk and m.role in roles.MANAGER_ROLES for m in request.memberships)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            # Routed through the service: the update must run in the workspace's own context.
            services.update_workspace(workspace=obj, fields=form.changed_data)
        else:
            services.create_workspace(name=obj.name, slug=obj.slug, owner=request.user, workspace=obj)
            messages.info(request, _("You are the owner of the new workspace; switch to it in the header."))

    def delete_model(self, request, obj):
        services.delete_workspace(workspace=obj)

    def delete_queryset(self, request, queryset):
        for workspace in queryset:
            services.delete_workspace(workspace=workspace)


# ---------------------------------------------------------------- members and invitations


def _my_role(request) -> str | None:
    return request.membership.role if request.membership is not None else None


class MemberRoleForm(TenantModelForm):
    """Change a member's role, within what the signed-in person may grant."""

    class Meta:
        model = WorkspaceMember
        fields = ("role",)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if "role" not in self.fields:
            return  # read-only for this person
        allowed = set(roles.grantable_roles(_my_role(request), superuser=request.user.is_superuser))
        allowed.add(self.instance.role)
        self.fields["role"].choices = [(v, label) for v, label in WorkspaceMember.Role.choices if v in allowed]

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role != self.instance.role:
            try:
                services.check_member_change(
                    member=self.instance,
                    new_role=role,
                    by_role=_my_role(self.request),
                    by_superuser=self.request.user.is_superuser,
                )
            except services.MembershipError as error:
                raise forms.ValidationError(str(error), code="not_allowed") from error
        return role


@admin.register(WorkspaceMember)
class WorkspaceMemberAdmin(WorkspaceScopedAdmin):
    """Who belongs to this workspace. People join by invitation; removing one leaves their account alone."""

    list_display = ("email", "full_name", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user",)
    ordering = ("user__email",)
    fields = ("user", "role")
    readonly_fields = ("user",)
    form = MemberRoleForm

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("full name"), ordering="user__full_name")
    def full_name(self, obj):
        return obj.user.full_name

    def get_form_kwargs(self, request, obj=None):
        return {**super().get_form_kwargs(request, obj), "request": request}

    def has_add_permission(self, request, *args):
        return False  # people join by accepting an invitation (Invitations)

    def changelist_view(self, request, extra_context=None):
        invitations = self.admin_site._registry[WorkspaceInvitation]
        extra_context = {**(extra_context or {}), "can_invite": invitations.has_add_permission(request)}
        return super().changelist_view(request, extra_context)

    def _may_touch(self, request, obj) -> bool:
        if obj is None:
            return True
        try:
            services.check_member_change(member=obj, new_role=None, by_role=_my_role(request), by_superuser=request.user.is_superuser)
        except services.MembershipError:
            # Owners' rows stay editable for owners (to hand over ownership) even as the last owner.
            return obj.role != WorkspaceMember.Role.OWNER or request.user.is_superuser or _my_role(request) == roles.OWNER
        return True

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        try:
            services.check_member_change(member=obj, new_role=None, by_role=_my_role(request), by_superuser=request.user.is_superuser)
        except services.MembershipError:
            return False
        return True

    def delete_queryset(self, request, queryset):
        removed, kept = 0, []
        for member in queryset.select_related("user"):
            if self.has_delete_permission(request, member):
                services.remove_member(member=member)
                removed += 1
            else:
                kept.append(member.user.email)
        if kept:
            messages.warning(
                request,
                _("Kept %(emails)s: only an owner removes an owner, and a workspace keeps at least one owner.")
                % {"emails": ", ".join(kept)},
            )

    def delete_model(self, request, obj):
        services.remove_member(member=obj)


class InvitationForm(TenantModelForm):
    class Meta:
        model = WorkspaceInvitation
        fields = ("email", "role")

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if "role" not in self.fields:
            return  # an invitation's own page: read-only
        allowed = roles.grantable_roles(_my_role(request), superuser=request.user.is_superuser)
        self.fields["role"].choices = [(v, label) for v, label in WorkspaceMember.Role.choices if v in allowed]
        self.fields["email"].help_text = _(
            "They get an email with a link that is valid for a limited time. A new person chooses their own password there; "
            "someone with an account signs in. Nobody joins until they accept."
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        # Only this workspace's own members are checked: the answer never says whether the address has an account.
        if WorkspaceMember.objects.filter(workspace=self.workspace, user__email=email).exists():
            raise forms.ValidationError(_("This person is already a member of this workspace."), code="member")
        return email


@admin.register(WorkspaceInvitation)
class WorkspaceInvitationAdmin(WorkspaceScopedAdmin):
    """Invite people by email; resend or revoke what is still open."""

    list_display = ("email", "role", "status_label", "invited_by", "sent_at", "expires_at", "accepted_by")
    list_filter = ("role",)
    search_fields = ("email",)
    list_select_related = ("invited_by", "accepted_by")
    ordering = ("-sent_at",)
    actions = ["resend_selected", "revoke_selected"]
    form = InvitationForm
    readonly_fields = ("status_label", "invited_by", "sent_at", "send_count", "expires_at", "accepted_at", "accepted_by", "revoked_at", "revoked_by")

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return obj.Status(obj.status).label

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("email", "role")
        return ("email", "role", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return ("email", "role", *self.readonly_fields) if obj is not None else ()

    def get_form_kwargs(self, request, obj=None):
        return {**super().get_form_kwargs(request, obj), "request": request}

    def has_change_permission(self, request, obj=None):
        # The list needs it for the actions; an invitation itself is never edited (resend or revoke it).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the list is the record of who was invited

    def save_model(self, request, obj, form, change):
        invitation = services.invite(
            workspace=request.workspace,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            by=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        obj.pk, obj._state.adding = invitation.pk, False

    def response_add(self, request, obj, post_url_continue=None):
        # One neutral answer, whether or not the address has an account anywhere.
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": obj.email})
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        return HttpResponseRedirect(reverse("admin:raptorflow_workspaceinvitation_changelist"))

    def _permitted(self, request, invitation) -> bool:
        # An admin never handles an owner's invitation (the database refuses it too).
        return invitation.role != roles.OWNER or request.user.is_superuser or _my_role(request) == roles.OWNER

    def _each_open(self, request, queryset, change, done, skipped):
        """Apply ``change`` to each selected invitation this person may handle; report both counts."""
        changed = passed = 0
        for invitation in queryset:
            if self._permitted(request, invitation) and change(invitation):
                changed += 1
            else:
                passed += 1
        self.message_user(request, done % changed)
        if passed:
            self.message_user(request, skipped % passed, messages.WARNING)

    @admin.action(description=_("Resend selected invitations (new link)"), permissions=["change"])
    def resend_selected(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        self._each_open(
            request,
            queryset,
            lambda invitation: services.resend_invitation(invitation=invitation, by=request.user, base_url=base_url),
            done=_("Invitations resent: %d."),
            skipped=_("Skipped %d (already accepted or revoked, or an owner's invitation only an owner handles)."),
        )

    @admin.action(description=_("Revoke selected invitations"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        self._each_open(
            request,
            queryset,
            lambda invitation: services.revoke_invitation(invitation=invitation, by=request.user),
            done=_("Invitations revoked: %d."),
            skipped=_("Skipped %d (already accepted or revoked, or an owner's invitation only an owner handles)."),
        )


@admin.register(Cohort)
class CohortAdmin(WorkspaceScopedAdmin):
    # Names are unique per workspace ignoring case: the model's rule, shown next to the field by the admin's form.
    list_display = ("name", "size", "updated_at")
    search_fields = ("name", "description")
    ordering = ("name",)

    @admin.display(description=_("size estimate"), ordering="size_estimate")
    def size(self, obj):
        return obj.size_display
