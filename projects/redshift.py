"""Connections to a DATA_WAREHOUSE profile's Redshift cluster (Postgres protocol).

Shared by environment provisioning (roles), imports (information_schema) and, later,
grants. The password comes from an environment variable of the portal or from AWS
Secrets Manager, never from the database.
"""

import json
import os

import psycopg2

from meshportal import aws


class ClusterConnectionError(Exception):
    """The cluster could not be reached or refused us; ``message`` says what to fix."""

    def __init__(self, message: str, *, auth_failed: bool = False):
        super().__init__(message)
        self.message = message
        self.auth_failed = auth_failed


def cluster_password(profile) -> str:
    params = profile.parameters
    if params.get("password_env"):
        value = os.environ.get(params["password_env"])
        if value is None:
            raise ClusterConnectionError(
                f"Environment variable {params['password_env']} (named by profile "
                f"'{profile.name}') is not set on the portal's workers. Set it and retry."
            )
        return value
    secrets = aws.client("secretsmanager", account=profile.aws_account, region=profile.region)
    secret = secrets.get_secret_value(SecretId=params["secret_arn"])["SecretString"]
    try:
        return json.loads(secret)["password"]
    except (ValueError, KeyError, TypeError):
        return secret


def connect(profile):
    """An autocommit connection to the profile's cluster, or ClusterConnectionError."""
    params = profile.parameters
    port = int(params.get("port", 5439))
    try:
        connection = psycopg2.connect(
            host=params["host"],
            port=port,
            dbname=params["database"],
            user=params["user"],
            password=cluster_password(profile),
            connect_timeout=10,
            application_name="mesh-portal",
        )
    except psycopg2.Error as error:
        auth_failed = getattr(error, "pgcode", None) in {"28P01", "28000"} or (
            "authentication failed" in str(error)
        )
        raise ClusterConnectionError(
            f"Could not connect to {params['host']}:{port}/{params['database']} as "
            f"{params['user']} ({str(error).strip()}). Check the profile's connection "
            "settings and the password, then retry.",
            auth_failed=auth_failed,
        ) from error
    connection.autocommit = True
    return connection
