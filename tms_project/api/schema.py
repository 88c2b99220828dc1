"""OpenAPI: every operation documents the shared error body (docs/api.md)."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "request_id"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
                "request_id": {"type": "string", "nullable": True},
            },
        }
    },
}

# Statuses any operation can answer, whatever its own documented ones.
COMMON_ERRORS = {
    "400": "Malformed JSON or invalid values",
    "401": "Missing, invalid or expired credentials",
    "403": "Not allowed",
    "404": "No such route or object",
    "405": "Method not allowed",
    "413": "Body too large",
    "415": "Body is not JSON",
    "429": "Rate limited; see Retry-After",
    "500": "Unexpected error",
    "503": "Temporarily unavailable; see Retry-After",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result
