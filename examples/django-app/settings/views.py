"""Endpoints the end-to-end tests use to check that Celery works.

POST /tasks/ping/        create a TaskRun row and enqueue settings.ping for it -> 202 {"id": ...}
GET  /tasks/ping/<id>/   that row; "status" becomes "done" once a worker has run the task
GET  /tasks/ping/        counts of runs, and when celery beat last ran settings.heartbeat
"""
import logging

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .models import SiteSetting, TaskRun
from .tasks import HEARTBEAT_KEY, ping

logger = logging.getLogger(__name__)


# A machine-to-machine JSON endpoint without a session, hence no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def ping_collection(request):
    if request.method == "POST":
        run = TaskRun.objects.create(task_name=ping.name)
        try:
            ping.apply_async(
                args=[run.pk],
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            )
        except Exception as exc:  # kombu raises several types when the broker is down
            logger.exception("Could not enqueue %s for TaskRun %s", ping.name, run.pk)
            TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.FAILED)
            return JsonResponse(
                {"id": run.pk, "status": "failed", "error": f"broker: {exc.__class__.__name__}"},
                status=503,
            )
        return JsonResponse(
            {"id": run.pk, "status": run.status, "url": f"/tasks/ping/{run.pk}/"}, status=202
        )

    runs = TaskRun.objects.filter(task_name=ping.name)
    return JsonResponse(
        {
            "total": runs.count(),
            "done": runs.filter(status=TaskRun.Status.DONE).count(),
            "beat_heartbeat": SiteSetting.get(HEARTBEAT_KEY),
        }
    )


@require_GET
def ping_detail(request, run_id):
    return JsonResponse(get_object_or_404(TaskRun, pk=run_id).as_dict())
