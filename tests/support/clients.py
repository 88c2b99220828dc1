"""API clients signed in as a user, as the task service sees them: an access token with the
claims the auth service puts in (the time zone too), made without a sign-in."""

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tms_project.claims import TIME_ZONE_CLAIM


def access_token_for(user) -> str:
    token = AccessToken.for_user(user)
    token[TIME_ZONE_CLAIM] = user.time_zone
    return str(token)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client
