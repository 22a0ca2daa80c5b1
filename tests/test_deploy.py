"""deploy/: the Kubernetes manifests validate offline against the API schemas and fit the service.

`kubernetes-validate` bundles the schemas of each Kubernetes release, so no cluster or network
is needed. Beyond the schema: probes on the real endpoints, non-root, memory from the measured
per-worker figure, every setting a real `Settings` field, names that refer to each other.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

import pytest

from cds_service.settings import Settings
from tests.conftest import ROOT

yaml = pytest.importorskip("yaml")
kubernetes_validate = pytest.importorskip("kubernetes_validate")

DEPLOY = ROOT / "deploy"
KUBERNETES = "1.30"  # oldest release still supported by the major clouds when written
MIB_PER_WORKER = 64  # README "Performance": resident memory per gunicorn worker
GUNICORN_VARS = {"CDS_WORKERS"}  # read by gunicorn.conf.py, not Settings


def documents() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        out.extend((path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return out


def one(kind: str) -> dict[str, Any]:
    found = [doc for _, doc in documents() if doc["kind"] == kind]
    assert len(found) == 1, kind
    return found[0]


def mebibytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()  # type: ignore[union-attr]
    return int(number) * (1024 if unit == "Gi" else 1)


@pytest.mark.parametrize(
    ("name", "doc"), documents(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_manifest_is_valid_for_kubernetes(name: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)  # raises on any error


@pytest.mark.parametrize("change", [{"replicas": "two"}, {"replica": 2}])  # wrong type; typo
def test_an_invalid_manifest_is_refused(change: dict[str, Any]) -> None:
    broken = {**one("Deployment"), "spec": {**one("Deployment")["spec"], **change}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    listed = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]
    on_disk = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk - {"secrets.example.yaml"}


def test_pod_probes_security_and_memory() -> None:
    pod = one("Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    workers = int(one("ConfigMap")["data"]["CDS_WORKERS"])
    request = mebibytes(container["resources"]["requests"]["memory"])
    limit = mebibytes(container["resources"]["limits"]["memory"])
    assert workers * MIB_PER_WORKER < request <= (workers + 1) * MIB_PER_WORKER
    assert limit >= 2 * request


def test_settings_are_real_and_secrets_are_referenced_not_inlined() -> None:
    known = {f"CDS_{f.name.upper()}" for f in fields(Settings)} | GUNICORN_VARS
    config = one("ConfigMap")["data"]
    assert set(config) <= known
    assert "CDS_DATABASE_URL" not in config
    pod = one("Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["CDS_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "cds-database"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["trusted-issuers"]["secret"]["secretName"] == "cds-trusted-issuers"
    assert config["CDS_TRUSTED_ISSUERS"].startswith(mounts["trusted-issuers"] + "/")
    secrets = {doc["metadata"]["name"] for _, doc in documents() if doc["kind"] == "Secret"}
    assert {"cds-database", "cds-trusted-issuers"} <= secrets


def test_selectors_and_targets_name_the_deployment() -> None:
    deployment = one("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        spec = one(kind)["spec"]
        selector = spec["selector"].get("matchLabels", spec["selector"])
        assert selector.items() <= labels.items(), kind
    target = one("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert one("HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2  # the PDB keeps one up
    backend = one("Ingress")["spec"]["rules"][0]["http"]["paths"]
    assert [p["path"] for p in backend] == ["/cds-services"]  # never /metrics
    assert backend[0]["backend"]["service"]["name"] == one("Service")["metadata"]["name"]


def test_purge_cronjob_runs_the_purge_command() -> None:
    job = one("CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = job["containers"]
    assert container["command"][-1] == "purge"
    assert (
        container["image"]
        == one("Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    )
    assert one("CronJob")["spec"]["concurrencyPolicy"] == "Forbid"


def test_migration_job_upgrades_the_deployments_database_with_its_image() -> None:
    job = one("Job")
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    (serving,) = one("Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["cds-service", "db", "upgrade"]
    assert container["image"] == serving["image"]
    env = {e["name"]: e["valueFrom"] for e in container["env"]}
    assert env["CDS_DATABASE_URL"] == {"secretKeyRef": {"name": "cds-database", "key": "url"}}
    assert pod["restartPolicy"] == "Never" and pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    # Its pods are not the Service's endpoints, and the replicas never migrate themselves.
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert not one("Service")["spec"]["selector"].items() <= labels.items()
    assert "--migrate" not in serving["command"] and serving["command"][:2] == [
        "cds-service",
        "serve",
    ]


def test_the_ingress_limits_the_rate_per_client_with_room_for_bursts() -> None:
    """The service has no rate limiter of its own: the ingress refuses callers above a
    generous per-address rate (an EHR gateway is one address), with bursts allowed, and says
    how to make the refusal a 429."""
    notes = one("Ingress")["metadata"]["annotations"]
    rps = int(notes["nginx.ingress.kubernetes.io/limit-rps"])
    assert 10 <= rps <= 1000
    assert int(notes["nginx.ingress.kubernetes.io/limit-burst-multiplier"]) >= 2
    assert int(notes["nginx.ingress.kubernetes.io/limit-connections"]) >= 16
    assert 'limit-req-status-code: "429"' in (DEPLOY / "ingress.yaml").read_text()
