"""From the portal's rows to the backends' plain descriptions.

The only place that knows both the models (grant, subscription, asset, environment,
accounts) and the backends' dataclasses.
"""

from catalog.choices import AssetType
from projects.choices import Blueprint
from projects.models import AwsAccount

from .backends import AccountRef, ClusterRef, LakeFormationGrant, RedshiftGrant
from .choices import GrantBackend

GLUE_TYPES = {AssetType.GLUE_TABLE, AssetType.GLUE_VIEW}
REDSHIFT_TYPES = {AssetType.REDSHIFT_TABLE, AssetType.REDSHIFT_VIEW}


def fitting_blueprint(asset_type: str) -> str | None:
    """Glue tables are queried from a data lake environment, Redshift ones from a warehouse."""
    if asset_type in GLUE_TYPES:
        return Blueprint.DATA_LAKE
    if asset_type in REDSHIFT_TYPES:
        return Blueprint.DATA_WAREHOUSE
    return None


def initial_backend(asset_type: str) -> str:
    """What the grant will most likely use; the task confirms (Lake Formation registration,
    same cluster) when it runs, and turns it MANUAL if not."""
    return GrantBackend.REDSHIFT if asset_type in REDSHIFT_TYPES else GrantBackend.LAKE_FORMATION


def glue_arn_parts(arn: str) -> tuple[str, str, str, str]:
    """(region, account id, database, table) of ``arn:aws:glue:r:a:table/db/name``."""
    parts = arn.split(":", 5)
    database, _, table = parts[5].removeprefix("table/").partition("/")
    return parts[3], parts[4], database, table


def producer_account(asset) -> AccountRef:
    """The account holding the table: the data source's environment's, else the domain's
    AwsAccount with the ARN's account id (an asset whose data source was deleted)."""
    region, account_id, _db, _t = glue_arn_parts(asset.external_identifier)
    source = asset.data_source
    if source is not None and source.environment_id:
        account = source.environment.profile.aws_account
        if account.account_id == account_id:
            return AccountRef.of(account, region)
    account = AwsAccount.objects.filter(domain_id=asset.domain_id, account_id=account_id).first()
    if account is None:
        return AccountRef(account_id, region)
    return AccountRef.of(account, region)


def principals_of(environment, extra_roles=None) -> tuple[str, ...]:
    roles = [environment.grant_role_arn] if environment.grant_role_arn else []
    if extra_roles is None:
        extra_roles = [r.role_arn for r in environment.extra_roles.all()]
    return tuple(dict.fromkeys(roles + list(extra_roles)))


def lake_formation_spec(grant) -> LakeFormationGrant:
    asset = grant.subscription.listing.asset
    environment = grant.environment
    _region, account_id, database, table = glue_arn_parts(asset.external_identifier)
    profile = environment.profile
    return LakeFormationGrant(
        producer=producer_account(asset),
        database=asset.database_name or database,
        table=asset.technical_name or table,
        location=(asset.technical_metadata or {}).get("location", ""),
        # fulfilment.load reads the extra roles with the grant (no query of their own).
        principals=principals_of(environment, getattr(grant, "extra_role_arns", None)),
        consumer=AccountRef.of(profile.aws_account, profile.region),
        consumer_database=environment.consumer_glue_database,
        catalog_id=account_id,
    )


def producer_profile(asset):
    source = asset.data_source
    if source is None or not source.environment_id:
        return None
    return source.environment.profile


def redshift_spec(grant) -> RedshiftGrant:
    asset = grant.subscription.listing.asset
    # redshift://host/database/schema/table, split from the right: a host may be a socket
    # directory with slashes of its own (a local stand-in cluster).
    host, database, _schema, _table = asset.external_identifier.removeprefix("redshift://").rsplit(
        "/", 3
    )
    profile = producer_profile(asset)
    params = dict(profile.parameters) if profile is not None else {"host": host}
    params.setdefault("database", database)
    return RedshiftGrant(
        producer=ClusterRef.of({**params, "host": host, "database": database}),
        schema=asset.schema_name,
        table=asset.technical_name,
        role=grant.environment.redshift_role,
        consumer=ClusterRef.of(grant.environment.profile.parameters),
    )
