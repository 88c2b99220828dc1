from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from accounts.models import AuthSession, User
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.services import token_revoke
from accounts.services.sessions import sessions_revoke_all
from accounts.services.users import user_deactivate, user_remove
from accounts.two_factor.models import TOTPDevice
from accounts.two_factor.services import two_factor_reset
from tasks.notifications.schedule import reschedule_owner
from tasks.services.handover import projects_hand_over


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "is_active",
        "is_staff",
        "two_factor",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "date_joined")
    search_fields = ("username", "email", "display_name")
    ordering = ("username",)
    actions = ["deactivate_users", "reset_two_factor"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Profile", {"fields": ("email", "display_name", "time_zone")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )

    @admin.action(description="Deactivate the selected users and end their sessions")
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset.filter(is_active=True))
        for user in users:
            user_deactivate(user=user)
        self.message_user(
            request, f"Deactivated {len(users)} user(s); their sessions are revoked.", messages.SUCCESS
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # "2FA enabled" for every row in the list's one query.
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
        return super().get_queryset(request).annotate(two_factor_on=Exists(confirmed))

    @admin.display(description="2FA enabled", boolean=True, ordering="two_factor_on")
    def two_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "two_factor_on", False))

    @admin.action(
        description="Reset two-factor sign-in of the selected users (they sign in with the password)"
    )
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        # For a person who lost both the authenticator and the recovery codes, once they proved who they are.
        reset = sum(two_factor_reset(user=user) for user in queryset)
        self.message_user(request, f"Reset two-factor sign-in of {reset} user(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            sessions_revoke_all(user=obj)
        if change and "time_zone" in form.changed_data:
            reschedule_owner(obj.pk)  # due times are local times: their moments move with the zone

    # Deleting from the admin, one account or the selected ones, hands shared projects over first,
    # as deleting through the API does (accounts.services.users.user_remove).

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_remove(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        with transaction.atomic():
            for user in queryset.order_by("pk"):
                user_remove(user=user)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The confirmation page lists what the delete will remove: the projects that will be handed
        over are not in it. The hand-over is tried and rolled back to find out."""
        with transaction.atomic():
            for user in objs:
                projects_hand_over(user_id=user.pk)
            deleted = super().get_deleted_objects(objs, request)
            transaction.set_rollback(True)
        return deleted


@admin.register(AuthSession)
class AuthSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "last_used_at", "expires_at", "revoked_at", "user_agent")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "user__email", "user_agent")
    raw_id_fields = ("user",)
    readonly_fields = (
        "user",
        "refresh_jti",
        "created_at",
        "last_used_at",
        "expires_at",
        "user_agent",
        "ip_address",
    )


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Read-only: staff see who holds which token and revoke one; no one makes one here, and the
    secret is nowhere to be seen (only its hash is kept)."""

    list_display = (
        "id",
        "user",
        "name",
        "hint",
        "project_id",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "user__email", "name", "hint")
    list_select_related = ("user",)
    fields = (
        "user",
        "name",
        "hint",
        "scopes",
        "project_id",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        return False

    @admin.action(description="Revoke the selected access tokens", permissions=["view"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[PersonalAccessToken]) -> None:
        revoked = sum(token_revoke(token_id=token.pk) for token in queryset.filter(revoked_at__isnull=True))
        self.message_user(request, f"Revoked {revoked} access token(s).", messages.SUCCESS)
