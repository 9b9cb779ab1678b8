"""Admin: each user's usage limits, edited on the user's own page."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import UserLimits


class UserLimitsInline(admin.StackedInline):
    """The user's overrides of the site-wide limits (empty fields keep the defaults)."""

    model = UserLimits
    can_delete = True
    extra = 0
    max_num = 1
    verbose_name = "usage limits"


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class LimitedUserAdmin(UserAdmin):
    """Django's user admin with the usage limits inline."""

    inlines = [*UserAdmin.inlines, UserLimitsInline]
