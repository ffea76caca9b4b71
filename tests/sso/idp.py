"""A real OpenID Connect provider for tests, and a helper that logs in through it.

`OidcTestProvider` runs `node tests/sso/idp/server.mjs` (npm `oidc-provider`) on 127.0.0.1
with the clients and accounts you give it::

    with OidcTestProvider(
        clients=[{
            "client_id": "portal",
            "client_secret": "s3cret",
            "redirect_uris": [f"{live_server.url}/accounts/oidc/sso/login/callback/"],
        }],
        accounts={
            "alice": {
                "password": "pw",
                "preferred_username": "alice",
                "email": "alice@example.test",
                "name": "Alice Example",
                "groups": ["mesh-admins"],
            },
        },
    ) as idp:
        idp.issuer                          # "http://127.0.0.1:<port>"
        idp.discovery_url                   # issuer + "/.well-known/openid-configuration"

A client's `token_endpoint_auth_method` defaults to `client_secret_post` (what allauth
chooses when discovery offers it); pass `"token_endpoint_auth_method": "client_secret_basic"`
in a client dict for HTTP Basic. Scopes: openid, profile, email, groups; the claims of the
requested scopes are in userinfo and in the ID token.

`login_with_requests` drives the browser part of a login with a `requests.Session`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = REPO_ROOT / "tests" / "sso" / "idp" / "server.mjs"
READY_PREFIX = "IDP_READY "
START_TIMEOUT = 30.0


class OidcTestProviderError(RuntimeError):
    pass


class OidcTestProvider:
    """Runs the test OpenID Connect provider as a subprocess on loopback."""

    def __init__(
        self,
        clients: list[dict],
        accounts: dict[str, dict],
        *,
        port: int = 0,
        node: str | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.clients = clients
        self.accounts = accounts
        self.port = port
        self.node = node or os.environ.get("NODE") or shutil.which("node") or "node"
        self.start_timeout = start_timeout
        self.issuer: str | None = None
        self._proc: subprocess.Popen | None = None
        self._tmpdir: tempfile.TemporaryDirectory | None = None
        self._stdout_lines: list[str] = []
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> OidcTestProvider:
        if self._proc is not None:
            raise OidcTestProviderError("the OIDC test provider is already running")
        if not (REPO_ROOT / "node_modules" / "oidc-provider").is_dir():
            raise OidcTestProviderError(
                f"{REPO_ROOT / 'node_modules' / 'oidc-provider'} is missing: "
                "run `npm ci` (make test does)"
            )
        if shutil.which(self.node) is None and not Path(self.node).is_file():
            raise OidcTestProviderError(
                f"Node.js not found ({self.node!r}); it is needed for the OIDC test provider"
            )

        self._tmpdir = tempfile.TemporaryDirectory(prefix="oidc-idp-")
        tmp = Path(self._tmpdir.name)
        self.config_path = tmp / "config.json"
        self.config_path.write_text(
            json.dumps({"clients": self.clients, "accounts": self.accounts}, indent=2)
        )
        self.log_path = tmp / "stderr.log"
        self._log = open(self.log_path, "wb")  # closed in _cleanup()

        env = {
            **os.environ,
            "IDP_CONFIG": str(self.config_path),
            "IDP_PORT": str(self.port),
            # stdin is a pipe we never write to: the server exits when it closes, i.e. when
            # this process dies without calling stop().
            "IDP_EXIT_ON_STDIN_EOF": "1",
        }
        self._proc = subprocess.Popen(
            [self.node, str(SERVER_SCRIPT)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        self._reader = threading.Thread(
            target=self._read_stdout, name="oidc-idp-stdout", daemon=True
        )
        self._reader.start()

        deadline = time.monotonic() + self.start_timeout
        while not self._ready.wait(0.05):
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self.stop()
                raise OidcTestProviderError(
                    f"the OIDC test provider exited with code {code} before it was ready.\n"
                    f"stderr:\n{self.stderr()}"
                )
            if time.monotonic() > deadline:
                stderr = self.stderr()
                self.stop()
                raise OidcTestProviderError(
                    f"the OIDC test provider was not ready within {self.start_timeout:.0f} s.\n"
                    f"stderr:\n{stderr}"
                )
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()
        if self._reader is not None:
            self._reader.join(2)
            self._reader = None
        self._cleanup()

    def __enter__(self) -> OidcTestProvider:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- information ---------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stderr(self) -> str:
        """What the provider has written to stderr so far (warnings, logged errors)."""
        if self._tmpdir is None:
            return getattr(self, "_stderr_text", "")
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- internals -----------------------------------------------------------------------

    def _read_stdout(self) -> None:
        proc = self._proc
        if proc is None or proc.stdout is None:
            return
        for line in proc.stdout:
            line = line.rstrip("\n")
            self._stdout_lines.append(line)
            if not self._ready.is_set() and line.startswith(READY_PREFIX):
                self.issuer = line[len(READY_PREFIX) :].strip()
                self._ready.set()

    def _cleanup(self) -> None:
        if self._tmpdir is None:
            return
        self._stderr_text = self.stderr()
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
        self._tmpdir.cleanup()
        self._tmpdir = None


# -- driving a login with requests -----------------------------------------------------


class _FormParser(HTMLParser):
    """Collects the forms of a page: action, method and the named input values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action") or "",
                    "method": (attrs.get("method") or "get").lower(),
                    "fields": {},
                }
            )
            self._in_form = True
        elif (
            self._in_form and tag in ("input", "button", "select", "textarea") and attrs.get("name")
        ):
            if (
                tag == "input"
                and attrs.get("type") in ("checkbox", "radio")
                and "checked" not in attrs
            ):
                return
            if tag in ("input", "button") and attrs.get("type") == "submit":
                return
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def parse_forms(html: str) -> list[dict]:
    """The forms of an HTML page: [{"action", "method", "fields": {name: value}}]."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def login_form(html: str) -> dict | None:
    """The first form with `login` and `password` fields, or None."""
    for form in parse_forms(html):
        if "login" in form["fields"] and "password" in form["fields"]:
            return form
    return None


ERROR_RE = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)


class LoginFailed(AssertionError):
    """The login did not reach `stop_at_prefix`; `.response` is the last response."""

    def __init__(self, message: str, response=None) -> None:
        super().__init__(message)
        self.response = response


def login_with_requests(
    session,
    start_url: str,
    username: str,
    password: str,
    stop_at_prefix: str,
    *,
    max_steps: int = 20,
    timeout: float = 10.0,
) -> str:
    """Walk a login through redirects with `session` (a `requests.Session`), submitting the
    IdP's sign-in form, until a redirect's Location starts with `stop_at_prefix`; return that
    Location (absolute) without requesting it.

    `start_url` is where the login starts: the IdP's authorization URL, or a portal URL such
    as `/accounts/oidc/sso/login/?process=login` (allauth's login page answers a GET with a
    confirmation form when `SOCIALACCOUNT_LOGIN_ON_GET` is off; this helper submits that form
    too, with its CSRF token, if it meets it). The sign-in form is submitted once; when the
    IdP shows it again (wrong password) `LoginFailed` is raised with the error text and the
    response. A `stop_at_prefix` that the flow reaches via a 200 page (not a redirect) is
    also accepted: the page URL is returned.
    """
    url = start_url
    method, data = "GET", None
    submitted_login = False
    last = None
    for _ in range(max_steps):
        response = session.request(method, url, data=data, allow_redirects=False, timeout=timeout)
        last = response
        method, data = "GET", None
        if response.is_redirect or response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("Location")
            if not location:
                raise LoginFailed(f"{response.status_code} without Location from {url}", response)
            next_url = urljoin(response.url, location)
            if next_url.startswith(stop_at_prefix):
                return next_url
            if response.status_code in (307, 308) and response.request.method == "POST":
                raise LoginFailed(
                    f"unexpected {response.status_code} after POST to {url}", response
                )
            url = next_url
            continue

        if response.url.startswith(stop_at_prefix):
            return response.url
        if response.status_code != 200:
            raise LoginFailed(
                f"unexpected {response.status_code} from {response.url}: {response.text[:500]}",
                response,
            )

        html = response.text
        form = login_form(html)
        if form is not None:
            if submitted_login:
                match = ERROR_RE.search(html)
                error = match.group(1).strip() if match else "sign-in form shown again"
                raise LoginFailed(f"login as {username!r} failed: {error}", response)
            fields = dict(form["fields"])
            fields["login"] = username
            fields["password"] = password
            url = urljoin(response.url, form["action"] or response.url)
            method, data = "POST", fields
            submitted_login = True
            continue

        # Any other single POST form (allauth's "Continue" page) is submitted as is.
        post_forms = [f for f in parse_forms(html) if f["method"] == "post"]
        if len(post_forms) == 1:
            form = post_forms[0]
            url = urljoin(response.url, form["action"] or response.url)
            method, data = "POST", dict(form["fields"])
            continue

        raise LoginFailed(f"don't know how to continue from {response.url}: {html[:500]}", response)

    raise LoginFailed(f"no redirect to {stop_at_prefix} within {max_steps} steps", last)
