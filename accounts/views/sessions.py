"""The signed-in user's live sessions (devices), and revoking one."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.cookies import clear_refresh_cookie
from accounts.selectors import session_list_live
from accounts.serializers import SessionSerializer
from accounts.services.sessions import session_revoke
from accounts.views.account import current_session_id
from accounts.views.base import AccountView, signed_in_user


class SessionListView(AccountView):
    @extend_schema(responses={200: SessionSerializer(many=True)}, summary="Live sessions")
    def get(self, request: Request) -> Response:
        sessions = session_list_live(user=signed_in_user(request))
        context = {"current_session_id": current_session_id(request)}
        return Response(SessionSerializer(sessions, many=True, context=context).data)


class SessionDetailView(AccountView):
    @extend_schema(responses={204: None}, summary="Revoke a session")
    def delete(self, request: Request, session_id: int) -> Response:
        if not session_revoke(user=signed_in_user(request), session_id=session_id):
            raise Http404
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if session_id == current_session_id(request):  # this browser's own session: its cookies are dead
            clear_refresh_cookie(response)
        return response
