"""Environment profile parameters, per blueprint: which exist and how they are checked.

The keys are the ones the code that uses a profile reads: provisioning
(``provisioning.py``, ``services/environments.py``: ``s3_bucket``, ``grant_role_arn``),
the Redshift connection of provisioning, imports and grants (``redshift.py``,
``catalog/sources.py``, ``sharing/backends/redshift.py``: ``host``, ``port``,
``database``, ``user``, and ``password_env`` or ``secret_arn``). A profile that could not
provision is refused here, when a platform admin saves it, rather than weeks later in a
failed environment.
"""

import re

from django.core.exceptions import ValidationError

from .choices import Blueprint
from .models import role_arn_validator

BUCKET_RE = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
DEFAULT_REDSHIFT_PORT = 5439

# Every parameter of a blueprint and what it is (the API's help text says the same).
PARAMETERS = {
    Blueprint.DATA_LAKE: {
        "s3_bucket": "the S3 bucket that holds the environments' data (required)",
        "grant_role_arn": "an existing IAM role that receives the grants (optional)",
    },
    Blueprint.DATA_WAREHOUSE: {
        "host": "the Redshift cluster's host (required)",
        "port": f"its port (default {DEFAULT_REDSHIFT_PORT})",
        "database": "the database the portal connects to (required)",
        "user": "the portal's database user (required)",
        "password_env": "the portal's environment variable that holds the password",
        "secret_arn": "or the Secrets Manager secret that holds it",
    },
}


def parameter_errors(blueprint: str, params: dict) -> dict[str, str]:
    """Every problem of ``params`` for ``blueprint``, keyed by parameter (``password_source``
    when a DATA_WAREHOUSE profile names no source of its password). Empty: usable."""
    errors: dict[str, str] = {}
    if blueprint == Blueprint.DATA_LAKE:
        bucket = params.get("s3_bucket", "")
        if not bucket:
            errors["s3_bucket"] = (
                "A DATA_LAKE profile needs 's3_bucket', the S3 bucket that holds the "
                "environments' data."
            )
        elif not BUCKET_RE.match(str(bucket)):
            errors["s3_bucket"] = (
                f"'{bucket}' is not a valid S3 bucket name (3–63 lower-case letters, digits, "
                "dots and hyphens, starting and ending with a letter or digit)."
            )
        if params.get("grant_role_arn"):
            try:
                role_arn_validator(str(params["grant_role_arn"]))
            except ValidationError:
                errors["grant_role_arn"] = (
                    "'grant_role_arn' must be an IAM role ARN such as "
                    "arn:aws:iam::111111111111:role/MeshPortalGrants."
                )
    elif blueprint == Blueprint.DATA_WAREHOUSE:
        for key, what in (
            ("host", "the cluster's host"),
            ("database", "the database to connect to"),
            ("user", "the portal's database user"),
        ):
            if not params.get(key):
                errors[key] = f"A DATA_WAREHOUSE profile needs '{key}', {what}."
        if not (params.get("password_env") or params.get("secret_arn")):
            errors["password_source"] = (
                "A DATA_WAREHOUSE profile needs the password's source: 'password_env' (an "
                "environment variable of the portal) or 'secret_arn' (AWS Secrets Manager)."
            )
        elif params.get("password_env") and not ENV_NAME_RE.match(str(params["password_env"])):
            errors["password_env"] = (
                "'password_env' must be an environment variable's name: letters, digits and "
                "underscores, not starting with a digit."
            )
        if "port" in params:
            try:
                port = int(params["port"])
            except (TypeError, ValueError):
                port = 0
            if not 0 < port < 65536:
                errors["port"] = "'port' must be a number between 1 and 65535."
    return errors


def validate_profile(profile) -> None:
    """Raise ValidationError naming each missing or malformed parameter (all at once)."""
    params = profile.parameters or {}
    if not isinstance(params, dict):
        raise ValidationError({"parameters": "Parameters must be a JSON object."})
    errors: dict[str, list[str]] = {}
    if (
        profile.aws_account_id
        and profile.domain_id
        and profile.aws_account.domain_id != profile.domain_id
    ):
        errors["aws_account"] = ["The AWS account must be associated with the same domain."]
    problems = parameter_errors(profile.blueprint, params)
    if problems:
        errors["parameters"] = list(problems.values())
    if errors:
        raise ValidationError(errors)
