from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from django.views.static import serve

from config import views
from settings import views as task_views

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz/", views.healthz, name="healthz"),
    path("tasks/ping/", task_views.ping_collection, name="task-ping"),
    path("tasks/ping/<int:run_id>/", task_views.ping_detail, name="task-ping-detail"),
    path("admin/", admin.site.urls),
    # Static files are served by Django itself from STATIC_ROOT (the `static` volume
    # that collectstatic fills). whitenoise, the usual choice, is not installable in
    # the offline build this example must support, and a reverse proxy would be one
    # more service; for one small stylesheet and the admin's assets this is enough.
    # In a larger deployment put nginx (or whitenoise) in front instead.
    re_path(
        r"^%s(?P<path>.*)$" % settings.STATIC_URL.lstrip("/"),
        serve,
        {"document_root": settings.STATIC_ROOT},
    ),
]
