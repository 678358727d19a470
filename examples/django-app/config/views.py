import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# The pending migrations, keyed by what decides them besides this release's files (which never
# change in a running container): the rows of django_migrations. Building the migration graph
# costs tens of milliseconds, too much for a health endpoint a proxy or a poller asks many times
# a second; counting the rows is one cheap query, and any migrate changes the key.
_pending_by_applied = {}


def _pending_migrations():
    recorder = MigrationRecorder(connection)
    key = None
    if recorder.has_table():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), max(id) FROM {recorder.Migration._meta.db_table}")
            key = cursor.fetchone()
    if key not in _pending_by_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        _pending_by_applied.clear()
        _pending_by_applied[key] = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    return _pending_by_applied[key]


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not.

    Also reports the release id (APP_RELEASE) and the migrations that are not applied
    yet, computed like `manage.py migrate` does (MigrationExecutor plan to the leaves).
    Pending migrations do not make the check fail: the previous release keeps serving
    while the next one's migrate runs.
    """
    body = {"release": settings.APP_RELEASE}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = _pending_migrations()
    except DatabaseError as exc:
        logger.warning("Health check: database unreachable: %s", exc)
        body.update(status="error", database="unreachable", error=exc.__class__.__name__)
        return JsonResponse(body, status=503)
    body.update(
        status="ok",
        database="ok",
        migrations={"applied": not pending, "unapplied": len(pending), "pending": pending},
    )
    return JsonResponse(body)


@require_GET
def index(request):
    from settings.models import FeatureFlag, SiteSetting

    try:
        site_name = SiteSetting.get("site_name", "Django app")
        flags = list(FeatureFlag.objects.filter(enabled=True).values_list("name", flat=True))
    except DatabaseError:
        logger.exception("Index page: database error")
        site_name, flags = "Django app", []
    return render(
        request,
        "index.html",
        {"site_name": site_name, "release": settings.APP_RELEASE, "flags": flags},
    )
