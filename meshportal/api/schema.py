"""Postprocessing of the OpenAPI document, so that it says what the server accepts.

drf-spectacular lists a request body under every parser of the view: JSON and also
``application/x-www-form-urlencoded`` and ``multipart/form-data`` (DRF's defaults, kept
for the browsable API). Those two cannot carry what most bodies hold: lists of objects
(filter expressions, form fields, columns), lists of ids, ``null``, nested JSON. A client
that took the document at its word and sent them as a form got 400s (schemathesis
reported whole operations rejecting what the document allowed). So where an operation
takes JSON, the document names JSON only; the server still parses forms as before.
"""

FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def json_only_request_bodies(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOK: drop the form encodings of JSON bodies."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for media_type in FORM_MEDIA_TYPES:
                    content.pop(media_type, None)
    return result


def user_or_group_request(role_field: str, roles, *, user_max_length: int | None = None) -> dict:
    """The body of adding a member: exactly one of ``user`` (a username) and ``group`` (an
    SSO group name), and a role. The serializer alone reads as "both optional"; the
    service refuses neither and both (names are trimmed), which this ``oneOf`` states."""
    given = {"type": "string", "pattern": r"\S", "maxLength": 150}
    blank = {"type": "string", "pattern": r"^\s*$", "maxLength": 150}
    user = {"type": "string", "pattern": r"\S", "description": "Username of the new member."}
    if user_max_length is not None:
        user["maxLength"] = user_max_length
    group = {**given, "description": "SSO group whose members become members."}
    role = {"type": "string", "enum": list(roles)}
    return {
        "oneOf": [
            {
                "title": "A user",
                "type": "object",
                "properties": {"user": user, "group": blank, role_field: role},
                "required": ["user", role_field],
            },
            {
                "title": "An SSO group",
                "type": "object",
                "properties": {"group": group, "user": blank, role_field: role},
                "required": ["group", role_field],
            },
        ]
    }
