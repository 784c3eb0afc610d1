from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from raptorflow import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workspaces/", views.choose_workspace, name="choose_workspace"),
    path("campaigns/", include("campaigns.urls")),
    path("admin/", admin.site.urls),
]
