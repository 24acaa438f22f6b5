"""`chatops status` against a real moto server holding a small copy of a deployed stack."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from tests.support.json_schemas import assert_valid

from tests.support.aws_servers import PROJECT, REGION, write_config

STACK = "prod"
PREFIX = f"{PROJECT}-{STACK}"
NAMESPACE = "RealtimeChat"


def _client(moto_url: str, service: str):
    return boto3.client(service, endpoint_url=moto_url, region_name=REGION)


def _ecs(url: str) -> dict[str, str]:
    ecs = _client(url, "ecs")
    cluster = f"{PREFIX}-cluster"
    ecs.create_cluster(clusterName=cluster)
    names = {}
    for role in ("api", "realtime", "workers"):
        family = f"{PREFIX}-{role}"
        ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="512", memory="1024",
                                     containerDefinitions=[{"name": role, "image": f"{role}:1", "essential": True}])
        ecs.create_service(cluster=cluster, serviceName=family, taskDefinition=family, desiredCount=2,
                           launchType="FARGATE")
        names[f"{role}ServiceName"] = family
    return {"ecsClusterName": cluster, **names}


def _target_groups(url: str) -> dict[str, str]:
    ec2, elb = _client(url, "ec2"), _client(url, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    out = {}
    for role, port in (("api", 3000), ("realtime", 3001)):
        arn = elb.create_target_group(Name=f"{PREFIX}-{role}", Protocol="HTTP", Port=port, VpcId=vpc,
                                      TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.10", "Port": port}])
        out[f"{role}TargetGroupArn"] = arn
    return {"vpcId": vpc, **out}


def _alarms(url: str) -> None:
    cw = _client(url, "cloudwatch")
    for name in (f"{PREFIX}-push-dlq-messages", f"{PREFIX}-api-cpu", f"{PROJECT}-staging-api-cpu"):
        cw.put_metric_alarm(AlarmName=name, MetricName="CPUUtilization", Namespace="AWS/ECS", Statistic="Average",
                            Period=60, EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold")
    cw.set_alarm_state(AlarmName=f"{PREFIX}-push-dlq-messages", StateValue="ALARM", StateReason="1 message in DLQ")
    cw.set_alarm_state(AlarmName=f"{PROJECT}-staging-api-cpu", StateValue="ALARM", StateReason="other stack")


def _queues(url: str) -> dict[str, str]:
    sqs = _client(url, "sqs")
    out = {}
    for key, name, messages in (("pushQueueUrl", "push", 3), ("pushDlqUrl", "push-dlq", 1),
                                ("offlineQueueUrl", "offline", 0), ("offlineDlqUrl", "offline-dlq", 0)):
        queue_url = sqs.create_queue(QueueName=f"{PREFIX}-{name}")["QueueUrl"]
        for i in range(messages):
            sqs.send_message(QueueUrl=queue_url, MessageBody=f"m{i}")
        out[key] = queue_url
    return out


def _data_stores(url: str) -> dict[str, object]:
    rds, cache = _client(url, "rds"), _client(url, "elasticache")
    rds.create_db_instance(DBInstanceIdentifier=f"{PREFIX}-db", DBInstanceClass="db.t3.medium", Engine="postgres",
                           MasterUsername="chat", MasterUserPassword="secret-password", AllocatedStorage=50)
    cache.create_replication_group(ReplicationGroupId=f"{PREFIX}-redis", ReplicationGroupDescription="chat",
                                   Engine="redis", CacheNodeType="cache.t3.medium", NumCacheClusters=2)
    return {"dbInstanceId": f"{PREFIX}-db", "dbReplicaInstanceId": None,
            "redisReplicationGroupIds": [f"{PREFIX}-redis"]}


def _metrics(url: str) -> None:
    cw = _client(url, "cloudwatch")
    now = datetime.now(timezone.utc)
    dims = [{"Name": "Stack", "Value": PREFIX}]
    data = []
    # Two tasks publish once a minute: 2,000 + 2,500 two minutes ago, 1,800 + 1,900 an hour ago (peak 4,500).
    for minutes, values in ((2, (2000, 2500)), (60, (1800, 1900))):
        for value in values:
            data.append({"MetricName": "ActiveConnections", "Dimensions": dims, "Value": value, "Unit": "Count",
                         "Timestamp": now - timedelta(minutes=minutes)})
    for value in (40, 60, 250):
        data.append({"MetricName": "EventLoopLagMs", "Dimensions": dims, "Value": value, "Unit": "Milliseconds",
                     "Timestamp": now - timedelta(minutes=1)})
    # Another stack's connections must not count.
    data.append({"MetricName": "ActiveConnections", "Dimensions": [{"Name": "Stack", "Value": "other-prod"}],
                 "Value": 99999, "Unit": "Count", "Timestamp": now - timedelta(minutes=1)})
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=data)


@pytest.fixture(scope="module")
def outputs(moto_url: str) -> dict[str, object]:
    """The outputs contract of a deployed stack, for resources that really exist in moto."""
    out: dict[str, object] = {"region": REGION, "tier": "10k-dau", "metricsNamespace": NAMESPACE,
                              "realtimeTargetGroupArnSuffix": None, "wafAclArn": None}
    out.update(_ecs(moto_url))
    out.update(_target_groups(moto_url))
    out.update(_queues(moto_url))
    out.update(_data_stores(moto_url))
    _alarms(moto_url)
    _metrics(moto_url)
    return out


@pytest.fixture
def files(tmp_path, outputs):
    config = write_config(tmp_path)
    out = tmp_path / "outputs.json"
    out.write_text(json.dumps(outputs))
    return config, out


def _status(run, files, url, *extra):
    config, out = files
    return run("status", "--stack", STACK, "--config", str(config), "--outputs-file", str(out),
               "--endpoint-url", url, *extra)


def test_status_json_reads_every_part_of_the_stack(run, files, moto_url):
    result = _status(run, files, moto_url, "--json")
    assert result.exit_code == 4 and "needs attention" in result.stderr  # the DLQ holds a message
    report = json.loads(result.stdout)
    assert_valid("status", report)
    services = {s["role"]: s for s in report["services"]}
    assert set(services) == {"api", "realtime", "workers"}
    assert services["api"]["desired"] == 2 and "rollout_state" in services["api"]
    targets = {t["role"]: t for t in report["targets"]}
    assert sum(targets["api"]["states"].values()) == 1
    assert [a["name"] for a in report["alarms"]] == [f"{PREFIX}-push-dlq-messages"]  # not other stacks'
    queues = {q["role"]: q for q in report["queues"]}
    assert queues["push"]["visible"] == 3 and queues["push-dlq"]["visible"] == 1
    assert queues["push-dlq"]["dead_letter"] and not queues["push"]["dead_letter"]
    assert report["databases"] == [{"role": "primary", "id": f"{PREFIX}-db", "status": "available",
                                    "class": "db.t3.medium", "multi_az": False}]
    assert report["redis"][0]["id"] == f"{PREFIX}-redis" and report["redis"][0]["status"] == "available"
    load = report["realtime"]
    assert load["active_connections"] == 4500 and load["peak_connections_24h"] == 4500
    assert load["event_loop_lag_ms"] is not None and load["event_loop_lag_statistic"] in ("p95", "max")
    assert load["capacity"] == 2 * load["connections_per_task"]
    assert load["suggestion"]["profile"] in ("25k-dau", "50k-dau")
    assert any("push-dlq" in p for p in report["problems"]) and report["ok"] is False
    assert report["profile"] == "10k-dau" and report["schema_version"] == 1


def test_status_human_view(run, files, moto_url):
    result = _status(run, files, moto_url)
    assert result.exit_code == 4, result.stderr
    for text in ("ECS services", "Target health", "Queues", "Realtime load", "Alarms in ALARM", "needs attention"):
        assert text in result.stdout


def test_watch_refreshes_until_stopped(run, files, moto_url):
    result = _status(run, files, moto_url, "--watch", "1", "--iterations", "2", "--json")
    assert result.exit_code == 4, result.stderr  # the verdict of the last refresh
    decoder, text, docs = json.JSONDecoder(), result.stdout.strip(), []
    while text:
        doc, end = decoder.raw_decode(text)
        docs.append(doc)
        text = text[end:].strip()
    assert len(docs) == 2
    live = _status(run, files, moto_url, "--watch", "1", "--iterations", "2")
    assert live.exit_code == 4 and "Realtime load" in live.stdout


def test_outputs_file_that_is_not_outputs_is_one_line(run, files, moto_url, tmp_path):
    config, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("status", "--config", str(config), "--outputs-file", str(bad), "--endpoint-url", moto_url)
    assert result.exit_code == 1 and "not JSON" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("status,code,expected", [
    (400, "AccessDeniedException", "grant ecs:DescribeServices"),
    (400, "ThrottlingException", "throttled"),
    (403, "ExpiredTokenException", "rejected the credentials"),
])
def test_aws_faults_are_one_line(run, files, fault_server, status, code, expected):
    result = _status(run, files, fault_server(status, code), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.output


def test_endpoint_down_is_one_line(run, files, closed_port_url):
    result = _status(run, files, closed_port_url)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach" in lines[0] and closed_port_url in lines[0]


def test_watch_keeps_the_last_view_when_a_refresh_fails(run, files, moto_url, monkeypatch, capsys):
    from chatops.errors import ChatopsError
    from chatops.ui import status as status_ui

    report = json.loads(_status(run, files, moto_url, "--json").stdout)
    calls = []

    def refresh():
        calls.append(1)
        if len(calls) > 1:
            raise ChatopsError("cloudwatch DescribeAlarms: AWS throttled the request")
        return report

    monkeypatch.setattr(status_ui.time, "sleep", lambda seconds: None)
    status_ui.watch_live(refresh, 5, 2)
    out = capsys.readouterr().out
    assert len(calls) == 2 and "refresh failed: cloudwatch DescribeAlarms" in out and "Realtime load" in out


@pytest.mark.parametrize("width", ["80", "120"])
def test_status_tables_show_every_name_and_figure_whole(run, files, moto_url, width):
    report = json.loads(_status(run, files, moto_url, "--json").stdout)
    config, out = files
    view = run("status", "--stack", STACK, "--config", str(config), "--outputs-file", str(out),
               "--endpoint-url", moto_url, env={"COLUMNS": width})
    assert max(len(line) for line in view.stdout.splitlines()) <= int(width) and "…" not in view.stdout
    names = [q["queue"] for q in report["queues"]] + [a["name"] for a in report["alarms"]]
    names += [d["id"] for d in report["databases"]] + [r["id"] for r in report["redis"]]
    names += [s["name"] for s in report["services"] if s["name"]]
    missing = [n for n in names if n not in view.stdout]
    assert not missing, missing
