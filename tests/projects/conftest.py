"""The projects tests' shared setup: the stand-in Redshift cluster's fixtures (from
``tests/cluster.py``, shared with the catalog tests)."""

from tests.cluster import cluster_params, warehouse_profile  # noqa: F401 (fixtures)


def profile_grant_role(aws, profile) -> str:
    """An IAM role made outside the portal, named as the profile's grant role; its ARN."""
    iam = aws.client("iam")
    arn = iam.create_role(RoleName="DataZoneGrants", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    profile.parameters = {**profile.parameters, "grant_role_arn": arn}
    profile.save()
    return arn
