from celery import shared_task
from django.utils import timezone

from .models import SiteSetting, TaskRun

HEARTBEAT_KEY = "celery_beat_heartbeat"


@shared_task(bind=True, name="settings.ping")
def ping(self, run_id):
    """Mark TaskRun `run_id` as done: proves web -> Redis -> worker -> database works."""
    updated = TaskRun.objects.filter(pk=run_id).update(
        status=TaskRun.Status.DONE,
        worker=self.request.hostname or "",
        finished_at=timezone.now(),
    )
    return updated


@shared_task(name="settings.heartbeat")
def heartbeat():
    """Scheduled by celery beat (CELERY_BEAT_SCHEDULE): records when it last ran."""
    now = timezone.now().isoformat()
    SiteSetting.objects.update_or_create(key=HEARTBEAT_KEY, defaults={"value": now})
    return now
