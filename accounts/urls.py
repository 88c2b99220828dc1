from django.urls import include, path

import tms_project.api.ids  # noqa: F401 - registers the <id:...> path converter
from accounts.views.account import MeView, PasswordChangeView, PasswordResetConfirmView, PasswordResetView
from accounts.views.email import EmailChangeView, EmailConfirmView, EmailRevertView
from accounts.views.sessions import SessionDetailView, SessionListView
from accounts.views.tokens import LoginView, LogoutView, RefreshView, RegisterView

app_name = "accounts"

urlpatterns = [
    path("register/", RegisterView.as_view(), name="register"),
    path("login/", LoginView.as_view(), name="login"),
    path("refresh/", RefreshView.as_view(), name="refresh"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("me/", MeView.as_view(), name="me"),
    path("email/change/", EmailChangeView.as_view(), name="email-change"),
    path("email/confirm/", EmailConfirmView.as_view(), name="email-confirm"),
    path("email/revert/", EmailRevertView.as_view(), name="email-revert"),
    path("password/change/", PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/confirm/", PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("sessions/", SessionListView.as_view(), name="sessions"),
    path("sessions/<id:session_id>/", SessionDetailView.as_view(), name="session-detail"),
    path("tokens/", include("accounts.personal_tokens.urls")),
    # 2fa/... and login/2fa/
    path("", include("accounts.two_factor.urls")),
]
