"""/api/auth/tokens/: a signed-in person's personal access tokens (list, make, revoke).

A personal access token never reaches these routes (accounts.authentication): only a
signed-in session makes or revokes one.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import AccountTokenAuthentication
from accounts.personal_tokens.selectors import token_list_live
from accounts.personal_tokens.serializers import NewTokenSerializer, TokenCreateSerializer, TokenSerializer
from accounts.personal_tokens.services import MAX_LIVE_TOKENS, token_create, token_revoke
from accounts.services.users import password_check
from accounts.views.base import AccountView, signed_in_user
from tms_project import ratelimit

# settings.TMS_RATE_LIMITS: tokens one account makes.
CREATE_LIMIT = "tokens_create"


class TokenView(AccountView):
    authentication_classes = [AccountTokenAuthentication]


class TokenListView(TokenView):
    @extend_schema(responses={200: TokenSerializer(many=True)}, summary="Your personal access tokens")
    def get(self, request: Request) -> Response:
        tokens = token_list_live(user_id=signed_in_user(request).pk)
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={
            201: NewTokenSerializer,
            409: OpenApiResponse(
                description=f"You have {MAX_LIVE_TOKENS} tokens (code quota_exceeded); nothing was made"
            ),
        },
        summary="Make a personal access token (its secret is in this answer only)",
        description="Needs your password (400 on `password` when it is wrong); nothing is made then.",
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        ratelimit.hit(request, CREATE_LIMIT, f"user:{user.pk}")
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Re-authentication: someone holding a stolen access token for its few minutes cannot turn it
        # into a token that lasts.
        ratelimit.hit(request, "password_account", f"user:{user.pk}")
        password_check(user=user, password=data["password"], field="password")
        made = token_create(
            user_id=user.pk,
            name=data["name"],
            scopes=data["scopes"],
            project_id=data.get("project"),
            expires_in_days=data.get("expires_in_days"),
        )
        body = {**TokenSerializer(made.token).data, "token": made.secret}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetailView(TokenView):
    @extend_schema(responses={204: None}, summary="Revoke a personal access token")
    def delete(self, request: Request, token_id: int) -> Response:
        if not token_revoke(token_id=token_id, user_id=signed_in_user(request).pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
