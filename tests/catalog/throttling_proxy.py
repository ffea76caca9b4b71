"""A real HTTP proxy in front of moto's server that misbehaves on purpose.

boto3 is pointed at it (``AWS_ENDPOINT_URL``) and every request makes a real network hop:
the proxy reads it, decides by its ``X-Amz-Target`` (``AWSGlue.GetTables`` …), or for
REST-JSON services such as Lake Formation by its path (``/GrantPermissions``), what to do,
and either answers with an AWS error in the JSON protocol's shape or forwards the request
to moto with ``urllib`` and relays moto's answer — optionally rewritten, or split into
pages with a ``NextToken`` that the proxy serves when it is asked for the next page.

Nothing of the portal is replaced: botocore parses the errors, applies its retry policy
and pages exactly as it would against AWS.

    with AwsProxy(moto_endpoint) as proxy:
        proxy.fail("AWSGlue.GetTables", "ThrottlingException", times=2)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
"""

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Headers that belong to one hop of HTTP, not to the message (RFC 9110 §7.6.1).
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "server",
    "date",
}


@dataclass
class Failure:
    """Answer ``code`` instead of forwarding: after letting the first ``after`` requests
    through, ``times`` times (None: every time)."""

    code: str
    message: str
    status: int
    times: int | None
    after: int = 0
    seen: int = 0
    served: int = 0

    def take(self) -> bool:
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.times is not None and self.served >= self.times:
            return False
        self.served += 1
        return True


@dataclass
class EntryRefusal:
    """Refuse the entries of a batch call (``Entries``, as Lake Formation's batch grants
    take) that ``matches``: they are not forwarded, and the answer lists them under
    ``Failures`` with ``code``, as AWS answers an entry it refused. ``times`` requests
    carrying a matching entry (None: every one)."""

    matches: object
    code: str
    message: str
    times: int | None
    served: int = 0


@dataclass
class Paging:
    """Serve ``list_key`` of the upstream answer ``page_size`` entries at a time."""

    list_key: str
    page_size: int
    tokens_issued: list[str] = field(default_factory=list)


@dataclass
class Seen:
    """One request the proxy received: its operation (``X-Amz-Target``, or the query
    protocol's ``Action`` such as ``AssumeRole``), body, headers, and how it was answered."""

    target: str
    body: dict
    headers: dict
    answer: str  # "forwarded" or the error code returned


class AwsProxy:
    """A threaded HTTP server on a free port of 127.0.0.1, forwarding to ``upstream``."""

    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self._failures: dict[str, list[Failure]] = {}
        self._rewrites: dict[str, list] = {}
        self._paging: dict[str, Paging] = {}
        self._refusals: dict[str, list[EntryRefusal]] = {}
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- behaviour ---------------------------------------------------------------------

    def fail(
        self,
        target: str,
        code: str,
        message: str | None = None,
        *,
        status: int = 400,
        times: int | None = None,
        after: int = 0,
    ) -> None:
        """Answer requests for ``target`` with the AWS error ``code``: once ``after``
        requests went through, the next ``times`` of them (all when ``times`` is None);
        the others are forwarded."""
        with self._lock:
            self._failures.setdefault(target, []).append(
                Failure(code, message or f"{code} (from the test proxy)", status, times, after)
            )

    def rewrite(self, target: str, function) -> None:
        """Pass moto's JSON answer for ``target`` through ``function(answer) -> answer``."""
        with self._lock:
            self._rewrites.setdefault(target, []).append(function)

    def refuse_entries(
        self, target: str, matches, code: str, message: str = "", *, times: int | None = None
    ) -> None:
        """Refuse the batch entries for which ``matches(entry)`` is true (see
        EntryRefusal); the others go through to moto."""
        with self._lock:
            self._refusals.setdefault(target, []).append(
                EntryRefusal(matches, code, message or f"{code} (from the test proxy)", times)
            )

    def _split_entries(self, target: str, body: dict) -> tuple[list, list]:
        """(entries to forward, Failures to answer) of a batch request."""
        with self._lock:
            refusals = list(self._refusals.get(target, []))
            forward, failures = [], []
            hit = set()
            for entry in body.get("Entries") or []:
                refusal = next(
                    (
                        r
                        for r in refusals
                        if (r.times is None or r.served < r.times) and r.matches(entry)
                    ),
                    None,
                )
                if refusal is None:
                    forward.append(entry)
                    continue
                hit.add(id(refusal))
                failures.append(
                    {
                        "RequestEntry": {"Id": entry.get("Id")},
                        "Error": {"ErrorCode": refusal.code, "ErrorMessage": refusal.message},
                    }
                )
            for refusal in refusals:
                if id(refusal) in hit:
                    refusal.served += 1
        return forward, failures

    def paginate(self, target: str, list_key: str, page_size: int) -> None:
        """Split the ``list_key`` list of moto's answer into pages of ``page_size``."""
        with self._lock:
            self._paging[target] = Paging(list_key, page_size)

    def count(self, target: str, answer: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for seen in self.requests
                if seen.target == target and (answer is None or seen.answer == answer)
            )

    def tokens_issued(self, target: str) -> list[str]:
        with self._lock:
            return list(self._paging[target].tokens_issued)

    # --- life cycle --------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "AwsProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> "AwsProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- request handling --------------------------------------------------------------

    def _decide(self, target: str, body: dict, headers: dict) -> Failure | None:
        with self._lock:
            failure = next((f for f in self._failures.get(target, []) if f.take()), None)
            answer = failure.code if failure else "forwarded"
            self.requests.append(Seen(target, body, headers, answer))
            return failure

    def _shape(self, target: str, request: dict, answer: dict) -> dict:
        with self._lock:
            rewrites = list(self._rewrites.get(target, []))
            paging = self._paging.get(target)
        for function in rewrites:
            answer = function(answer)
        if paging is None:
            return answer
        items = answer.get(paging.list_key, [])
        token = request.get("NextToken")
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        size = min(paging.page_size, request.get("MaxResults") or paging.page_size)
        page = dict(answer, **{paging.list_key: items[start : start + size]})
        page.pop("NextToken", None)
        if start + size < len(items):
            next_token = base64.urlsafe_b64encode(str(start + size).encode()).decode()
            page["NextToken"] = next_token
            with self._lock:
                paging.tokens_issued.append(next_token)
        return page

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format, *args):  # quiet: pytest shows failures anyway
                pass

            def do_POST(self):
                self._handle()

            def do_GET(self):
                self._handle()

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = self._parse(raw)
                # JSON protocol (X-Amz-Target), query protocol (Action), or REST-JSON
                # (Lake Formation: the operation is the path, "/GrantPermissions").
                target = (
                    self.headers.get("X-Amz-Target")
                    or body.get("Action")
                    or self.path.split("?", 1)[0]
                )
                failure = proxy._decide(target, body, dict(self.headers.items()))
                if failure is not None:
                    self._send_error(failure)
                    return
                upstream_body = raw
                refused = []
                if target in proxy._refusals and "Entries" in body:
                    forward, refused = proxy._split_entries(target, body)
                    upstream_body = json.dumps(dict(body, Entries=forward)).encode()
                if target in proxy._paging and "NextToken" in body:
                    # moto ignores NextToken; the proxy keeps the position itself.
                    upstream_body = json.dumps(
                        {k: v for k, v in body.items() if k != "NextToken"}
                    ).encode()
                status, headers, payload = self._forward(upstream_body)
                if (
                    status == 200
                    and target
                    and (target in proxy._rewrites or target in proxy._paging)
                ):
                    answer = proxy._shape(target, body, json.loads(payload or b"{}"))
                    payload = json.dumps(answer).encode()
                if status == 200 and refused:
                    answer = json.loads(payload or b"{}")
                    answer["Failures"] = (answer.get("Failures") or []) + refused
                    payload = json.dumps(answer).encode()
                self._send(status, headers, payload)

            def _parse(self, raw: bytes) -> dict:
                """JSON protocol bodies, or the query protocol's form (STS)."""
                if not raw:
                    return {}
                try:
                    return json.loads(raw)
                except ValueError:
                    form = urllib.parse.parse_qs(raw.decode(errors="replace"))
                    return {key: values[0] for key, values in form.items()}

            def _forward(self, body: bytes):
                # Content-Length is the body's as sent on (an entry refused makes it shorter).
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length"
                }
                request = urllib.request.Request(
                    proxy.upstream + self.path,
                    data=body if self.command != "GET" else None,
                    headers=headers,
                    method=self.command,
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        return response.status, list(response.headers.items()), response.read()
                except urllib.error.HTTPError as error:  # moto's own 4xx/5xx answers
                    return error.code, list(error.headers.items()), error.read()

            def _send(self, status: int, headers, payload: bytes):
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _send_error(self, failure: Failure):
                # The shape AWS's JSON protocol (Glue, Lake Formation …) uses for errors.
                payload = json.dumps({"__type": failure.code, "message": failure.message}).encode()
                self._send(
                    failure.status,
                    [
                        ("Content-Type", "application/x-amz-json-1.1"),
                        ("x-amzn-RequestId", str(uuid.uuid4())),
                        ("x-amzn-ErrorType", f"{failure.code}:"),
                    ],
                    payload,
                )

        return Handler
