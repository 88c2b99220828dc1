"""Two-factor sign-in: a TOTP authenticator app, single-use recovery codes, the sign-in challenge."""
