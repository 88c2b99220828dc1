"""Personal access tokens: long-lived, scoped credentials a person makes for a script."""
