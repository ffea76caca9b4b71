"""boto3 client factory: one place that decides how the portal reaches AWS.

boto3 reads AWS_ENDPOINT_URL itself (moto in the demo and tests, nothing in production).
When an AwsAccount names a role, the portal assumes it and works with those temporary
credentials; otherwise it uses its own. Retries use botocore's "standard" mode, which
backs off with jitter on throttling and transient errors.
"""

import os
import threading
import time

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


# Assumed-role credentials last an hour; clients made with them are dropped a few minutes
# before that, clients on the portal's own credentials are kept for the same hour.
SESSION_SECONDS = 3600
_REFRESH_MARGIN = 300


def session_for(account=None, region: str | None = None) -> tuple[boto3.session.Session, float]:
    """A boto3 session for an AwsAccount (assuming its role when one is set), and the
    time (epoch seconds) until which it may be used."""
    region = region or (account.region if account is not None else None)
    usable_until = time.time() + SESSION_SECONDS - _REFRESH_MARGIN
    if account is None or not account.role_arn:
        return boto3.session.Session(region_name=region), usable_until
    sts = boto3.client("sts", region_name=region, config=RETRY_CONFIG)
    credentials = sts.assume_role(
        RoleArn=account.role_arn, RoleSessionName="mesh-portal", DurationSeconds=SESSION_SECONDS
    )["Credentials"]
    session = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
    return session, credentials["Expiration"].timestamp() - _REFRESH_MARGIN


_clients: dict[tuple, tuple[object, float]] = {}
_sessions: dict[tuple, tuple[boto3.session.Session, float]] = {}
_clients_lock = threading.Lock()
_making_lock = threading.Lock()


def _environment_key() -> tuple:
    # The endpoint and credentials come from the environment; a change means new clients.
    return (
        os.environ.get("AWS_ENDPOINT_URL", ""),
        os.environ.get("AWS_ACCESS_KEY_ID", ""),
        id(RETRY_CONFIG),
    )


def _session(account, region: str | None) -> tuple[boto3.session.Session, float]:
    """One session per (role, region): every service client of an assumed role shares its
    credentials, so a grant that touches Glue, Lake Formation and STS assumes the role
    once an hour, not once per service."""
    key = (region, account.role_arn if account is not None else "", *_environment_key())
    now = time.time()
    with _clients_lock:
        cached = _sessions.get(key)
        if cached is not None and cached[1] > now:
            return cached
    made = session_for(account, region)
    with _clients_lock:
        _sessions[key] = made
    return made


def client(service: str, *, account=None, region: str | None = None):
    """A boto3 client with the portal's retry policy, reused while its credentials last.

    Making a botocore client loads its service model (tens of milliseconds); a worker
    that provisions or imports all day would spend more time on that than on AWS. boto3
    clients are thread-safe, so one per (service, region, role) is shared.
    """
    region = region or (account.region if account is not None else None)
    key = (service, region, account.role_arn if account is not None else "", *_environment_key())
    with _clients_lock:
        cached = _clients.get(key)
        if cached is not None and cached[1] > time.time():
            return cached[0]
    # Making a client is not thread-safe (a boto3 session's loaders are shared): threads
    # that need one at once (a grant batch's AWS thread and its task's) make them in turn,
    # and the second finds the first's. The session (an STS call for an assumed role) is
    # got before the lock, so a slow STS for one account holds up no other account.
    session, usable_until = _session(account, region)
    with _making_lock:
        with _clients_lock:
            cached = _clients.get(key)
            if cached is not None and cached[1] > time.time():
                return cached[0]
        made = session.client(service, config=RETRY_CONFIG)
        with _clients_lock:
            _clients[key] = (made, usable_until)
    return made


def forget_clients() -> None:
    """Drop cached clients, sessions and answers (tests whose moto forgot its credentials)."""
    with _clients_lock:
        _clients.clear()
        _sessions.clear()
        _answers.clear()


# Short-lived answers of read-only look-ups (e.g. Lake Formation's registered locations),
# keyed like clients so a different endpoint or account never sees another's answer.
_answers: dict[tuple, tuple[object, float]] = {}


def remembered(key: tuple, seconds: float, compute):
    """``compute()``'s value, reused for ``seconds`` under ``key``.

    For look-ups that every grant repeats and that change rarely; callers that would act
    wrongly on a stale "no" call ``forget_answer`` and look again.
    """
    full = (key, *_environment_key())
    now = time.monotonic()
    with _clients_lock:
        cached = _answers.get(full)
        if cached is not None and cached[1] > now:
            return cached[0]
    value = compute()
    if seconds > 0:
        with _clients_lock:
            _answers[full] = (value, now + seconds)
    return value


def forget_answer(key: tuple) -> None:
    with _clients_lock:
        _answers.pop((key, *_environment_key()), None)


def forget_answers() -> None:
    with _clients_lock:
        _answers.clear()


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
