from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from raptorflow import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    # Browsers and crawlers ask for /favicon.ico whatever the pages link to.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"))),
    # Self-service passwords. The change pages have their own template names: the
    # admin renders registration/password_change_*.html for its own change pages.
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/account_password_change_form.html"),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/account_password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "account/password-reset/",
        auth_views.PasswordResetView.as_view(email_template_name="registration/password_reset_email.txt"),
        name="password_reset",
    ),
    path("account/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "account/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("workspaces/", views.choose_workspace, name="choose_workspace"),
    path("invitations/<uuid:workspace_id>/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("campaigns/", include("campaigns.urls")),
    # The admin's sign-out too (its URL, matched before the admin's own view): a GET asks,
    # a POST signs out to the admin's sign-in page, which says so.
    path("admin/logout/", views.SignOutView.as_view(next_page="admin:login"), name="admin_logout"),
    # The agents' pages were /admin/agents/agentregistry/... before the model became Agent (issue 18).
    re_path(
        r"^admin/agents/agentregistry/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/agents/agent/%(rest)s", query_string=True, permanent=True),
    ),
    path("admin/", admin.site.urls),
]

# A database outage answers 503 with Retry-After; anything else Django's 500 page (raptorflow/outage.py).
handler500 = "raptorflow.outage.server_error"
