from django.contrib import admin

from .models import FeatureFlag, SiteSetting, TaskRun


@admin.register(SiteSetting)
class SiteSettingAdmin(admin.ModelAdmin):
    list_display = ("key", "value", "updated_at")
    search_fields = ("key",)


@admin.register(FeatureFlag)
class FeatureFlagAdmin(admin.ModelAdmin):
    list_display = ("name", "enabled", "rollout_percent", "created_at")
    list_filter = ("enabled",)


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ("id", "task_name", "status", "worker", "created_at", "finished_at")
    list_filter = ("status", "task_name")
