"""Validation of environment profile parameters, per blueprint."""

import re

from django.core.exceptions import ValidationError

from .choices import Blueprint
from .models import role_arn_validator

BUCKET_RE = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def validate_profile(profile) -> None:
    """Raise ValidationError naming each missing or malformed parameter.

    A profile that cannot provision is caught here, when a platform admin saves it,
    rather than later in a failed environment.
    """
    params = profile.parameters or {}
    if not isinstance(params, dict):
        raise ValidationError({"parameters": "Parameters must be a JSON object."})
    errors = {}
    if (
        profile.aws_account_id
        and profile.domain_id
        and profile.aws_account.domain_id != profile.domain_id
    ):
        errors["aws_account"] = "The AWS account must be associated with the same domain."
    if profile.blueprint == Blueprint.DATA_LAKE:
        bucket = params.get("s3_bucket", "")
        if not bucket:
            errors["parameters"] = (
                "A DATA_LAKE profile needs 's3_bucket', the bucket that holds environments' data."
            )
        elif not BUCKET_RE.match(str(bucket)):
            errors["parameters"] = f"'{bucket}' is not a valid S3 bucket name."
        elif params.get("grant_role_arn"):
            try:
                role_arn_validator(params["grant_role_arn"])
            except ValidationError:
                errors["parameters"] = "'grant_role_arn' must be an IAM role ARN."
    elif profile.blueprint == Blueprint.DATA_WAREHOUSE:
        missing = [key for key in ("host", "database", "user") if not params.get(key)]
        if missing:
            errors["parameters"] = (
                "A DATA_WAREHOUSE profile needs " + ", ".join(f"'{key}'" for key in missing) + "."
            )
        elif not (params.get("password_env") or params.get("secret_arn")):
            errors["parameters"] = (
                "A DATA_WAREHOUSE profile needs the password's source: 'password_env' (an "
                "environment variable of the portal) or 'secret_arn' (AWS Secrets Manager)."
            )
        elif "port" in params:
            try:
                port = int(params["port"])
            except (TypeError, ValueError):
                port = 0
            if not 0 < port < 65536:
                errors["parameters"] = "'port' must be a number between 1 and 65535."
    if errors:
        raise ValidationError(errors)
