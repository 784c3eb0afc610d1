"""Test-only views that report or misuse the request's database context."""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path

from raptorflow.models import Cohort


def context_probe(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('app.current_workspace_id', true), current_setting('app.current_user_id', true), pg_backend_pid()"
        )
        workspace, user, pid = cursor.fetchone()
    return JsonResponse(
        {"workspace": workspace, "user": user, "pid": pid, "cohorts": sorted(Cohort.objects.values_list("name", flat=True))}
    )


def write_elsewhere(request):
    # A buggy view: writes into the workspace named in the query string.
    Cohort.objects.create(workspace_id=request.GET["workspace"], name="smuggled")
    return JsonResponse({"ok": True})


def write_then_fail(request):
    Cohort.objects.create(workspace=request.workspace, name="half-written")
    raise RuntimeError("the view failed after writing")


urlpatterns = [
    path("probe/context/", context_probe),
    path("probe/write-elsewhere/", write_elsewhere),
    path("probe/write-then-fail/", write_then_fail),
    path("", include("raptorflow.urls")),
]
