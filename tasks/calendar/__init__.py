"""The calendar feed: a secret URL serving a person's dated tasks as RFC 5545 VTODOs."""
