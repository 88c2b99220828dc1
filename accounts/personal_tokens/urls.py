from django.urls import path

from accounts.personal_tokens.views import TokenDetailView, TokenListView

urlpatterns = [
    path("", TokenListView.as_view(), name="tokens"),
    path("<id:token_id>/", TokenDetailView.as_view(), name="token-detail"),
]
