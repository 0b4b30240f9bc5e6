"""A real Keycloak for the template's SSO tests: Maven Central's distribution, built once, cached.

The download, its unpacking and the augmented build (`kc.sh build`, ~1-2 min) happen once per
version into ~/.cache/cookiecutter-ai-solution/; every later start is `start --optimized`, seconds.
Each start runs in its own home (the cached lib/ linked in), so the realm import and the
in-memory database never leak between runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.processes import free_port, stop

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cookiecutter-ai-solution"
MAVEN = "https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist"
# Build-time options: a changed list rebuilds (the marker file names their hash).
BUILD_OPTIONS = ("--db=dev-mem", "--health-enabled=true")
ADMIN_USER = "admin"


def compose_version(project: Path) -> str:
    """The Keycloak version the generated Compose file pins (the tests run that exact one)."""
    compose = yaml.safe_load((project / "compose.keycloak.yaml").read_text(encoding="utf-8"))
    image: str = compose["services"]["keycloak"]["image"]
    return image.rpartition(":")[2]


def java_home() -> str | None:
    """A JDK Keycloak 26 runs on: JAVA_HOME if set, else the machine's 17 (or Temurin 25)."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    for candidate in ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/temurin-25-jdk-amd64"):
        if Path(candidate, "bin", "java").exists():
            return candidate
    return None


def _download(version: str) -> Path:
    archive = CACHE / "downloads" / f"keycloak-quarkus-dist-{version}.tar.gz"
    if archive.exists():
        return archive
    archive.parent.mkdir(parents=True, exist_ok=True)
    url = f"{MAVEN}/{version}/{archive.name}"
    with urllib.request.urlopen(f"{url}.sha1", timeout=30) as response:
        expected = response.read().decode().split()[0]
    partial = archive.with_suffix(".partial")
    digest = hashlib.sha1()
    with urllib.request.urlopen(url, timeout=300) as response, partial.open("wb") as out:
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected:
        partial.unlink()
        raise RuntimeError(f"{url}: SHA-1 {digest.hexdigest()} is not the published {expected}")
    partial.rename(archive)
    return archive


def installed(version: str) -> Path:
    """The unpacked, built distribution of `version` (downloaded and built on first use)."""
    home = CACHE / f"keycloak-{version}"
    marker = home / f".built-{hashlib.sha256(' '.join(BUILD_OPTIONS).encode()).hexdigest()[:12]}"
    if marker.exists():
        return home
    if not (home / "bin" / "kc.sh").exists():
        archive = _download(version)
        staging = CACHE / f".keycloak-{version}.unpacking"
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        shutil.rmtree(home, ignore_errors=True)
        (staging / f"keycloak-{version}").rename(home)
        staging.rmdir()
    result = subprocess.run(
        [str(home / "bin" / "kc.sh"), "build", *BUILD_OPTIONS],
        env=java_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"kc.sh build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    marker.touch()
    return home


def java_env() -> dict[str, str]:
    env = dict(os.environ)
    found = java_home()
    if found:
        env["JAVA_HOME"] = found
    return env


@dataclass(frozen=True)
class Keycloak:
    url: str
    admin_password: str
    log: Path | None = None
    # The Host header of every call: a container's name, so tokens carry the issuer the stack's
    # services expect while the traffic itself goes to 127.0.0.1.
    host: str | None = None

    def realm_url(self, realm: str) -> str:
        return f"{self.url}/realms/{realm}"

    def token(self, realm: str, form: Mapping[str, str]) -> dict[str, Any]:
        """A token endpoint's JSON answer for `form` (raises HttpError with the body on refusal)."""
        answer: dict[str, Any] = http_json(
            "POST", f"{self.realm_url(realm)}/protocol/openid-connect/token", form=form, host=self.host
        )
        return answer

    def user_tokens(
        self, realm: str, client_id: str, client_secret: str, username: str, password: str
    ) -> Any:
        """A person's tokens from `client_id`, whose password grant is switched on for the test only."""
        client = self.admin("GET", f"/{realm}/clients?clientId={client_id}")[0]
        if not client["directAccessGrantsEnabled"]:
            self.admin(
                "PUT", f"/{realm}/clients/{client['id']}", body=client | {"directAccessGrantsEnabled": True}
            )
        return self.token(
            realm,
            {
                "grant_type": "password",
                "client_id": client_id,
                "client_secret": client_secret,
                "username": username,
                "password": password,
                "scope": "openid",
            },
        )

    def admin(self, method: str, path: str, body: object = None) -> Any:
        """One call of the admin REST API (`path` below /admin/realms), as the bootstrap admin."""
        token = self.token(
            "master",
            {
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": ADMIN_USER,
                "password": self.admin_password,
            },
        )["access_token"]
        return http_json(
            method, f"{self.url}/admin/realms{path}", body=body, bearer=str(token), host=self.host
        )


class HttpError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


def http_json(
    method: str,
    url: str,
    *,
    form: Mapping[str, str] | None = None,
    body: object = None,
    bearer: str | None = None,
    host: str | None = None,
) -> Any:
    """Standard-library HTTP with JSON answers: the template's test venv carries no HTTP client."""
    headers = {"Accept": "application/json"} | ({"Host": host} if host else {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        raise HttpError(error.code, error.read().decode(errors="replace")) from None
    return json.loads(text) if text else None


def _private_home(cached: Path, run_dir: Path, realm_file: Path) -> Path:
    """A home of its own (bin/ and conf/ copied, the built lib/ linked) importing `realm_file`."""
    home = run_dir / "keycloak-home"
    home.mkdir(parents=True)
    for name in ("bin", "conf"):
        shutil.copytree(cached / name, home / name, symlinks=True)
    for name in ("lib", "providers", "themes", "version.txt"):
        if (cached / name).exists():
            (home / name).symlink_to(cached / name)
    (home / "data" / "import").mkdir(parents=True)
    shutil.copy(realm_file, home / "data" / "import" / realm_file.name)
    return home


@contextmanager
def running(
    version: str, *, realm_file: Path, env: Mapping[str, str], run_dir: Path, admin_password: str
) -> Iterator[Keycloak]:
    """Keycloak on a free 127.0.0.1 port, `realm_file` imported with `env` filling its ${...}."""
    home = _private_home(installed(version), run_dir, realm_file)
    port, management_port = free_port(), free_port()
    log = run_dir / "keycloak.log"
    command = [
        str(home / "bin" / "kc.sh"),
        "start",
        "--optimized",
        "--import-realm",
        "--http-enabled=true",
        "--http-host=127.0.0.1",
        f"--http-port={port}",
        f"--http-management-port={management_port}",
        "--hostname-strict=false",
        "--cache=local",  # one node: no JGroups cluster discovery at start
    ]
    process_env = java_env() | {
        **env,
        "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USER,
        "KC_BOOTSTRAP_ADMIN_PASSWORD": admin_password,
    }
    with log.open("w") as out:
        process = subprocess.Popen(command, env=process_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"http://127.0.0.1:{management_port}/health/ready", process, log)
        yield Keycloak(url=f"http://127.0.0.1:{port}", admin_password=admin_password, log=log)
    finally:
        stop(process)


def _wait_ready(health_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Keycloak exited with {process.returncode}:\n{log.read_text()[-6000:]}")
        try:
            with urllib.request.urlopen(health_url, timeout=2):
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Keycloak not ready after 600 s:\n{log.read_text()[-6000:]}")
