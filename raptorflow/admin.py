from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from raptorflow import services
from raptorflow.models import Cohort, User, Workspace, WorkspaceMember
from raptorflow.pagination import EstimatedCountPaginator

admin.site.site_header = _("RaptorFlow operations")
admin.site.site_title = _("RaptorFlow admin")
admin.site.index_title = _("Operations")


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Base admin for tenant models: rows of the header's workspace only.

    RLS already limits every query to the current workspace; the explicit
    filter keeps the list on the workspace-leading indexes and hides the rows a
    policy shows for other reasons (a user's own memberships elsewhere).
    New rows take the current workspace.

    Large lists: the filtered count is exact up to a threshold and estimated
    beyond it, and the unfiltered total is never counted (docs/benchmarks.md).
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.workspace is None:
            return queryset.none()
        return queryset.filter(workspace_id=request.workspace.id)

    def has_add_permission(self, request, *args):
        return request.workspace is not None and super().has_add_permission(request, *args)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.workspace = request.workspace
        super().save_model(request, obj, form, change)


class MemberInline(admin.TabularInline):
    model = WorkspaceMember
    fk_name = "user"
    extra = 0
    fields = ("role",)
    verbose_name_plural = _("role in this workspace")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.workspace is None:
            return queryset.none()
        return queryset.filter(workspace_id=request.workspace.id)

    def has_add_permission(self, request, obj=None):
        return False


class UserCreationForm(AdminUserCreationForm):
    role = forms.ChoiceField(
        label=_("Role in this workspace"),
        choices=WorkspaceMember.Role.choices,
        initial=WorkspaceMember.Role.MARKETER,
    )

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users who are members of the current workspace."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "memberships__role")
    search_fields = ("email", "full_name")
    readonly_fields = ("last_login", "date_joined")
    inlines = [MemberInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "role", "password1", "password2")}),
    )

    # Platform powers: only a superuser grants them; a workspace's staff must
    # not be able to make themselves superuser (who may enter every workspace).
    PLATFORM_FIELDS = ("is_superuser", "groups", "user_permissions")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.workspace is None:
            return queryset.none()
        return queryset.filter(memberships__workspace_id=request.workspace.id)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            readonly = (*readonly, *self.PLATFORM_FIELDS)
        return readonly

    def has_add_permission(self, request):
        return request.workspace is not None and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # A new user joins the header's workspace, else they would vanish from this list.
            WorkspaceMember.objects.create(workspace=request.workspace, user=obj, role=form.cleaned_data["role"])


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    """Workspaces the staff member belongs to (all of them for superusers)."""

    list_display = ("name", "slug", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(members__user_id=request.user.id)

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


class MemberAddForm(forms.ModelForm):
    # Adding by exact email: a list of every user would show other workspaces' people.
    email = forms.EmailField(label=_("Email of an existing user"))

    class Meta:
        model = WorkspaceMember
        fields = ("email", "role")

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise forms.ValidationError(_("No user has this email address; add them under Users."), code="unknown_user")
        if WorkspaceMember.objects.filter(user=user, workspace_id=self.workspace_id).exists():
            raise forms.ValidationError(_("This user is already a member of this workspace."), code="duplicate")
        self.instance.user = user
        return email


@admin.register(WorkspaceMember)
class WorkspaceMemberAdmin(WorkspaceScopedAdmin):
    list_display = ("user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user",)
    readonly_fields = ("user",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            form = type("BoundMemberAddForm", (MemberAddForm,), {"workspace_id": request.workspace.id})
            kwargs["form"] = form
            kwargs["fields"] = ("email", "role")
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("user", "role") if obj is not None else ("email", "role")


@admin.register(Cohort)
class CohortAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "size_estimate", "updated_at")
    search_fields = ("name", "description")
    ordering = ("name",)
