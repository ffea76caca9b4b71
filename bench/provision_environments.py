"""How much the portal adds on top of AWS when it provisions DATA_LAKE environments.

Creates N environments through the service (tasks run eagerly, as in the demo) against
moto's standalone server, and as the baseline makes the same AWS calls straight with
boto3. Prints wall time per environment for both, the ratio, and the SQL queries per
environment.

    .venv/bin/python bench/provision_environments.py [N]    (default N=25)
"""

import sys
import time
import uuid

from _harness import bench_database, bench_project, moto_server, summary  # noqa: I001


def baseline(server, n: int) -> list[float]:
    """The same calls the provisioner makes, with no portal around them."""
    import json

    s3, iam, glue, athena = (server.client(s) for s in ("s3", "iam", "glue", "athena"))
    timings = []
    for i in range(n):
        name = f"baseline_{i}_{uuid.uuid4().hex[:6]}"
        started = time.perf_counter()
        s3.head_bucket(Bucket="meshportal-environments")
        s3.put_object(Bucket="meshportal-environments", Key=f"baseline/{name}/", Body=b"")
        role = f"mp-{name}".replace("_", "-")
        iam.create_role(RoleName=role, Path="/meshportal/", AssumeRolePolicyDocument="{}")
        iam.put_role_policy(
            RoleName=role,
            PolicyName="p",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "glue:Get*", "Resource": "*"}],
                }
            ),
        )
        glue.create_database(DatabaseInput={"Name": f"{name}_pub_db"})
        glue.create_database(DatabaseInput={"Name": f"{name}_sub_db"})
        athena.get_work_group(WorkGroup=name)
        athena.create_work_group(Name=name, Configuration={})
        timings.append(time.perf_counter() - started)
    return timings


def portal(n: int) -> tuple[list[float], float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects import services
    from projects.choices import EnvironmentStatus

    user, project, profile = bench_project()
    # One environment first to warm the worker (imports, boto3 clients), as the baseline is.
    services.environment_create(acting_user=user, project=project, profile=profile, name="warm-up")
    timings, queries = [], 0
    for i in range(n):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            env = services.environment_create(
                acting_user=user, project=project, profile=profile, name=f"env {i}"
            )
        timings.append(time.perf_counter() - started)
        queries += len(captured.captured_queries)
        env.refresh_from_db()
        assert env.status == EnvironmentStatus.ACTIVE, env.last_error
    return timings, queries / n


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    with moto_server() as server, bench_database():
        server.client("s3").create_bucket(Bucket="meshportal-environments")
        # Warm both paths once (imports, connection pools) before measuring.
        baseline(server, 1)
        base = baseline(server, n)
        measured, queries = portal(n)
    ratio = (sum(measured) / len(measured)) / (sum(base) / len(base))
    print(f"DATA_LAKE environment provisioning against moto's server, N={n}")
    print(f"  raw boto3 calls (baseline): {summary(base)}")
    print(f"  portal (service + task):    {summary(measured)}")
    print(f"  ratio portal / baseline:    {ratio:.2f}x")
    print(f"  SQL queries per environment: {queries:.1f}")


if __name__ == "__main__":
    main()
