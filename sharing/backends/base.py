"""What every sharing backend shares: the plain description of a grant, its errors and
the retry policy for AWS calls.

Backends know nothing of the portal's models: they take a description of what to share
with whom and return a JSON-able record (the ``target``) of what they created, which is
all that revoke and reconciliation need. That keeps them testable against moto alone
and lets the grant model change without touching AWS code.
"""

import logging
import random
import time
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from meshportal import aws

logger = logging.getLogger(__name__)

# Error codes that say "try again later": botocore's standard mode already retries the
# throttling ones a few times; what outlasts it, and Lake Formation's
# ConcurrentModificationException (which botocore does not retry), is retried here.
TRANSIENT_CODES = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ConcurrentModificationException",
    "InternalServiceException",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "OperationTimeoutException",
}


@dataclass(frozen=True)
class AccountRef:
    """An AWS account the portal acts in, and the role it assumes there (if any).

    Has the two attributes ``meshportal.aws.client`` reads from an AwsAccount (``region``,
    ``role_arn``), so it stands in for one without importing the projects app.
    """

    account_id: str
    region: str
    role_arn: str = ""

    @classmethod
    def of(cls, aws_account, region: str | None = None) -> "AccountRef":
        return cls(
            account_id=aws_account.account_id,
            region=region or aws_account.region,
            role_arn=aws_account.role_arn or "",
        )

    def as_json(self) -> dict:
        return {"account_id": self.account_id, "region": self.region, "role_arn": self.role_arn}

    @classmethod
    def from_json(cls, data: dict) -> "AccountRef":
        return cls(data["account_id"], data["region"], data.get("role_arn", ""))


class GrantError(Exception):
    """A grant or revoke did not complete.

    ``message`` is for a person (what happened, what to do); ``transient`` says whether
    trying again later may help; ``target`` is what had been created before the failure,
    so that a revoke of a half-done grant takes exactly that away.
    """

    def __init__(self, message: str, *, transient: bool, target: dict | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.target = target


@dataclass
class Backoff:
    """Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
    And Jitter"): clients that collided do not collide again in lockstep."""

    attempts: int = 5
    base: float = 0.2
    cap: float = 5.0
    sleep: object = field(default=time.sleep, repr=False)

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))  # noqa: S311


def is_transient(error: Exception) -> bool:
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return aws.error_code(error) in TRANSIENT_CODES or status >= 500
    # Connection trouble is worth another try; a bad parameter (also a BotoCoreError) is not.
    return isinstance(error, (BotoConnectionError, HTTPClientError))


def call_with_retry(backoff: Backoff, function, /, **kwargs):
    """Call an AWS operation, retrying transient errors with backoff and jitter; other
    errors (and a transient one that outlasts the attempts) propagate."""
    for attempt in range(backoff.attempts):
        try:
            return function(**kwargs)
        except (ClientError, BotoCoreError) as error:
            if not is_transient(error) or attempt == backoff.attempts - 1:
                raise
            pause = backoff.delay(attempt)
            logger.info(
                "Retrying %s in %.2f s after %s",
                getattr(function, "__name__", "call"),
                pause,
                aws.describe_error(error),
            )
            backoff.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover
