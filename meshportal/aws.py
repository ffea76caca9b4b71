"""boto3 client factory: one place that decides how the portal reaches AWS.

boto3 reads AWS_ENDPOINT_URL itself (moto in the demo and tests, nothing in production).
When an AwsAccount names a role, the portal assumes it and works with those temporary
credentials; otherwise it uses its own. Retries use botocore's "standard" mode, which
backs off with jitter on throttling and transient errors.
"""

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

RETRY_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 6},
    connect_timeout=10,
    read_timeout=60,
    user_agent_appid="mesh-portal",
)

# Error codes that mean "a person must act" rather than "try again later".
ACCESS_DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "AuthorizationError",
}
NOT_FOUND_CODES = {
    "EntityNotFoundException",
    "NoSuchBucket",
    "NoSuchEntity",
    "ResourceNotFoundException",
}


def session_for(account=None, region: str | None = None) -> boto3.session.Session:
    """A boto3 session for an AwsAccount (assuming its role when one is set)."""
    region = region or (account.region if account is not None else None)
    if account is None or not account.role_arn:
        return boto3.session.Session(region_name=region)
    sts = boto3.client("sts", region_name=region, config=RETRY_CONFIG)
    credentials = sts.assume_role(
        RoleArn=account.role_arn, RoleSessionName="mesh-portal", DurationSeconds=3600
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def client(service: str, *, account=None, region: str | None = None, session=None):
    """A boto3 client with the portal's retry policy."""
    session = session or session_for(account, region)
    return session.client(service, config=RETRY_CONFIG)


def error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "")
    return ""


def describe_error(error: Exception) -> str:
    """A one-line description of an AWS error for people (code and AWS's own message)."""
    if isinstance(error, ClientError):
        err = error.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', str(error))}"
    if isinstance(error, BotoCoreError):
        return str(error)
    return f"{type(error).__name__}: {error}"
