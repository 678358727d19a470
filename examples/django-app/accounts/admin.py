from django.contrib import admin

from .models import Account


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "timezone", "created_at")
    search_fields = ("user__username", "display_name")
