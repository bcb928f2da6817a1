"""Real servers for the connector tests (and the benchmark), started on 127.0.0.1 on free ports
and stopped afterwards: a PostgreSQL server from Debian's packages (in a temporary directory),
a JSON API that paginates, checks credentials (OAuth2 too) and fails on demand, and an
S3-compatible object store (moto's server, from PyPI) behind a proxy that fails on demand."""

import base64
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bindir():
    """Where Debian's PostgreSQL server binaries are (`make test` installs them)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise RuntimeError(
            "no PostgreSQL server: install Debian's `postgresql` package (`make postgres`)"
        )
    return os.path.dirname(found[-1])


class PostgresServer:
    """A PostgreSQL server of its own: a fresh cluster in a temporary directory, listening on
    127.0.0.1 only (`url`) and on a Unix socket in that directory (`socket_url`), every
    statement logged (`statements()`), password authentication over TCP, none over the socket.
    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.

    With `tls=True` it also takes TLS connections, with a certificate for 127.0.0.1 (and no other
    name) signed by a CA of its own, whose certificate is the file `ca_file`."""

    USER = "spark_admin"

    def __init__(self, password="s3cr3t-Pg-pw", tls=False):
        self.password = password
        self.bindir = postgres_bindir()
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sqldb-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.as_user = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as out:
            out.write(password)
        if self.as_user:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self._run(
            [f"{self.bindir}/initdb", "-D", self.data, "-U", self.USER, f"--pwfile={pwfile}",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"]
        )
        os.remove(pwfile)
        tls_settings = self._make_certificates() if tls else ""
        self._run(
            [f"{self.bindir}/pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
             "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
             "-c log_statement=all -c log_connections=on -c fsync=off -c synchronous_commit=off "
             "-c full_page_writes=off -c max_connections=200" + tls_settings,
             "start"]
        )
        self.url = f"postgresql://127.0.0.1:{self.port}/postgres"
        # The same server over its Unix socket, where the admin needs no password (`trust`):
        # for tests that open many connections, each without a password's hashing.
        self.socket_url = f"postgresql:///postgres?host={self.dir}&port={self.port}"

    def _make_certificates(self):
        """A CA and a server certificate for 127.0.0.1 it signed, made with openssl; the
        server's settings that use them."""
        self.ca_file = os.path.join(self.dir, "ca.pem")
        key, cert = os.path.join(self.data, "server.key"), os.path.join(self.data, "server.pem")
        extensions = os.path.join(self.dir, "server.ext")
        with open(extensions, "w") as out:
            out.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                      "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n")
        ca_key = os.path.join(self.dir, "ca.key")
        request = os.path.join(self.dir, "server.csr")
        for argv in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
             "-out", self.ca_file, "-days", "2", "-subj", "/CN=sqldb test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request,
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", request, "-CA", self.ca_file, "-CAkey", ca_key,
             "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", extensions],
        ):
            ran = subprocess.run(["openssl", *argv], capture_output=True, text=True)
            if ran.returncode != 0:
                raise RuntimeError(f"openssl {' '.join(argv)} failed:\n{ran.stderr}")
        os.chmod(key, 0o600)
        if self.as_user:
            owner = pwd.getpwnam("postgres")
            for path in (key, cert):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        return f" -c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}"

    def _run(self, argv):
        ran = subprocess.run(self.as_user + argv, capture_output=True, text=True)
        if ran.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{ran.stdout}\n{ran.stderr}")
        return ran.stdout

    def sql(self, text, database="postgres"):
        """Runs `text` with psql as the admin (over the Unix socket); its output, unaligned."""
        return self._run(
            [f"{self.bindir}/psql", "-h", self.dir, "-p", str(self.port), "-U", self.USER,
             "-d", database, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", text]
        ).strip()

    def statements(self):
        """Everything the server logged (each statement, with its parameters)."""
        with open(self.log, errors="replace") as log:
            return log.read()

    def stop(self):
        try:
            self._run([f"{self.bindir}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def api_record(i):
    return {
        "id": i,
        "name": f"item {i}",
        "score": i * 0.25,
        "tags": [f"t{i % 3}", "all"],
        "group": f"g{i % 4}",
        "extra": {"ignored": True},
    }


class ApiServer:
    """A JSON API of `records` records on 127.0.0.1, in three pagination styles:

    - `/items?page=N&per_page=S`: a bare array (pages from 1);
    - `/offset/items?offset=O&limit=S`: `{"data": [...]}`;
    - `/cursor/items?per_page=S[&cursor=C]`: `{"data": [...], "next": C or null}`;
    - `/keys/<group>/items?page=N&per_page=S`: the records of one group (`g0`..`g3`), as `/items`;
    - `/bad/items`: records whose `id` is text.

    `auth` is what every request must carry: `("bearer", token)`, `("apikey", header, key)`,
    `("basic", user, password)`, or `("oauth", client_id, client_secret, lifetime)`: a bearer
    token that `POST /oauth/token` issued (OAuth2 client credentials, the client's id and
    secret in HTTP basic authentication) less than `lifetime` seconds before; a request without
    it gets 401 (whose body shows the token it was sent, as some servers do). `tokens_issued`
    lists the tokens issued, in order; `delay` makes every page wait that long. `inject(path, page, *faults)`
    makes the next requests of that page fail, one fault each, in order: a status (`500`), a
    status with `Retry-After` (`(429, 1)`), `"slow"` (answers after `slow_seconds`),
    `"malformed"` (200 with broken JSON) or `"drop"` (closes the connection unanswered); `page`
    is the page number, offset or cursor as the query gives it. `requests` lists
    `(time, path, page, outcome)` of every request as it arrives: its status, or the fault
    (`"slow"`, `"malformed"`, `"drop"`)."""

    def __init__(self, records=1000, auth=None, slow_seconds=3.0, delay=0.0):
        self.records = [api_record(i) for i in range(1, records + 1)]
        self.auth = auth
        self.delay = delay
        self.tokens_issued = []
        self.token_expiry = {}
        self.slow_seconds = slow_seconds
        self.faults = {}
        self.redirects = {}
        self.requests = []
        self.headers = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One write per response, sent at once: headers and body written apart, with
            # Nagle's algorithm on, wait for the client's delayed ACK (40 ms a request).
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_GET(self):
                api.handle(self)

            def do_POST(self):
                api.issue_token(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def inject(self, path, page, *faults):
        with self.lock:
            self.faults.setdefault((path, str(page)), []).extend(faults)

    def redirect(self, path, status, location):
        """Answers every request of `path` with `status` and `Location: location`."""
        with self.lock:
            self.redirects[path] = (status, location)

    def clear(self):
        with self.lock:
            self.faults.clear()
            self.redirects.clear()
            self.requests.clear()
            self.headers.clear()

    def headers_of(self, path):
        """The headers of every request of `path` (lowercased names), in order."""
        with self.lock:
            return [h for p, h in self.headers if p == path]

    def seen(self, path, page=None):
        """The statuses of the requests of `path` (and `page`), in order."""
        with self.lock:
            return [status for _, p, g, status in self.requests
                    if p == path and (page is None or g == str(page))]

    def authorized(self, headers):
        if self.auth is None:
            return True
        kind = self.auth[0]
        if kind == "bearer":
            return headers.get("Authorization") == f"Bearer {self.auth[1]}"
        if kind == "apikey":
            return headers.get(self.auth[1]) == self.auth[2]
        if kind == "oauth":
            token = (headers.get("Authorization") or "").removeprefix("Bearer ")
            with self.lock:
                expiry = self.token_expiry.get(token)
            return expiry is not None and time.monotonic() < expiry
        pair = base64.b64encode(f"{self.auth[1]}:{self.auth[2]}".encode()).decode()
        return headers.get("Authorization") == f"Basic {pair}"

    def issue_token(self, request):
        """`POST /oauth/token`: OAuth2's client-credentials grant (RFC 6749, 4.4)."""
        length = int(request.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(request.rfile.read(length).decode()).items()}
        with self.lock:
            queue = self.faults.get(("/oauth/token", ""), [])
            fault = queue.pop(0) if queue else None

        def answer(status, body):
            data = json.dumps(body).encode()
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)

        _, client_id, client_secret, lifetime = self.auth
        pair = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        if isinstance(fault, int):
            outcome = fault
        elif request.path != "/oauth/token" or form.get("grant_type") != "client_credentials":
            outcome = 400
        elif request.headers.get("Authorization") != f"Basic {pair}":
            outcome = 401
        else:
            outcome = 200
        with self.lock:
            self.requests.append((time.monotonic(), "/oauth/token", "", outcome))
        if outcome != 200:
            # Echoes what it was sent, as some servers do: the client's credentials.
            return answer(outcome, {"error": "invalid_client",
                                    "sent": request.headers.get("Authorization")})
        token = f"tok-{len(self.tokens_issued) + 1}-{os.urandom(8).hex()}"
        with self.lock:
            self.tokens_issued.append(token)
            self.token_expiry[token] = time.monotonic() + lifetime
        answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": lifetime,
                     "scope": form.get("scope", "")})

    def handle(self, request):
        url = urlparse(request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        page = query.get("page", query.get("offset", query.get("cursor", "")))
        with self.lock:
            queue = self.faults.get((path, page), [])
            fault = queue.pop(0) if queue else None

        def answer(status, body, headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            for key, value in headers:
                request.send_header(key, value)
            request.end_headers()
            request.wfile.write(data)

        with self.lock:
            self.headers.append((path, {k.lower(): v for k, v in request.headers.items()}))
            redirect = self.redirects.get(path)
        if redirect:
            return answer(redirect[0], {}, [("Location", redirect[1])])
        if path == "/echo":
            # A server that shows the request's headers in its error (some do).
            return answer(400, {"error": "bad request", "headers": dict(request.headers)})
        # What the request will get, recorded as it arrives.
        authorized = self.authorized(request.headers)
        outcome = 401 if not authorized else (
            fault if isinstance(fault, (int, str)) else fault[0] if fault else 200)
        with self.lock:
            self.requests.append((time.monotonic(), path, page, outcome))
        if not authorized or fault == 401:
            return answer(401, {"error": "unauthorized",
                                "token": request.headers.get("Authorization")})
        if fault == "drop":
            request.close_connection = True
            request.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "slow":
            time.sleep(self.slow_seconds)
        elif isinstance(fault, int):
            return answer(fault, {"error": f"injected {fault}"})
        elif isinstance(fault, tuple):
            status, wait = fault
            return answer(status, {"error": "slow down"}, [("Retry-After", str(wait))])
        if fault == "malformed":
            return answer(200, b'[{"id": 1, "name": "trunc')
        if self.delay:
            time.sleep(self.delay)
        size = int(query.get("per_page", query.get("limit", "100")))
        if path == "/items" or path.startswith("/keys/"):
            records = self.records
            if path.startswith("/keys/"):
                group = path.split("/")[2]
                records = [r for r in records if r["group"] == group]
            start = (int(query.get("page", "1")) - 1) * size
            return answer(200, records[start:start + size])
        if path == "/offset/items":
            start = int(query.get("offset", "0"))
            return answer(200, {"data": self.records[start:start + size]})
        if path == "/cursor/items":
            start = int(query.get("cursor", "c0")[1:])
            end = start + size
            following = f"c{end}" if end < len(self.records) else None
            return answer(200, {"data": self.records[start:end], "next": following})
        if path == "/bad/items":
            return answer(200, [{"id": 1, "name": "fine"}, {"id": "abc", "name": "not a number"}])
        return answer(404, {"error": "no such path"})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class S3Server:
    """An S3-compatible server on 127.0.0.1: moto's standalone server (from PyPI), with
    signatures checked (an IAM user with full rights, whose keys are `access_key_id` and
    `secret_access_key`), behind a proxy that fails on demand (`url` is the proxy's).

    `inject(part, *faults)`: the next requests whose path holds `part` fail, one fault each, in
    order: a status (`503`: S3's `SlowDown`) or `"slow"` (answered after `slow_seconds`).
    `requests` lists `(method, path, outcome)` of every request as it reaches the proxy.
    `put(key, data)` and `put_file(key, path)` store objects in the bucket `bucket`."""

    def __init__(self, bucket="data", slow_seconds=3.0):
        import boto3

        self.bucket = bucket
        self.slow_seconds = slow_seconds
        self.faults = []
        self.requests = []
        self.lock = threading.Lock()
        moto_port = free_port()
        server = os.path.join(os.path.dirname(sys.executable), "moto_server")
        # The first three actions (the IAM user, its policy, its key) need no signature.
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
        self.process = subprocess.Popen(
            [server, "-H", "127.0.0.1", "-p", str(moto_port)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.moto_url = f"http://127.0.0.1:{moto_port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", moto_port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.05)
        iam = boto3.client("iam", endpoint_url=self.moto_url, region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="spark")
        iam.put_user_policy(UserName="spark", PolicyName="everything", PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="spark")["AccessKey"]
        self.access_key_id, self.secret_access_key = key["AccessKeyId"], key["SecretAccessKey"]
        self.s3 = boto3.client("s3", endpoint_url=self.moto_url, region_name="us-east-1",
                               aws_access_key_id=self.access_key_id,
                               aws_secret_access_key=self.secret_access_key)
        self.s3.create_bucket(Bucket=bucket)
        self._start_proxy()

    def _start_proxy(self):
        import http.client

        s3 = self
        upstream = urlparse(self.moto_url)

        class Proxy(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def forward(self):
                with s3.lock:
                    fault = None
                    for index, (part, pending) in enumerate(s3.faults):
                        if part in self.path:
                            fault = pending
                            del s3.faults[index]
                            break
                    s3.requests.append((self.command, self.path, fault or "forwarded"))
                if fault == "slow":
                    time.sleep(s3.slow_seconds)
                elif isinstance(fault, int):
                    body = (b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>SlowDown</Code>"
                            b"<Message>Please reduce your request rate.</Message></Error>")
                    self.send_response(fault)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                connection = http.client.HTTPConnection(upstream.hostname, upstream.port,
                                                        timeout=60)
                try:
                    # The Host header as signed: moto checks the signature over it.
                    connection.request(self.command, self.path, body=body,
                                       headers=dict(self.headers.items()))
                    answer = connection.getresponse()
                    data = answer.read()
                    try:
                        self.send_response(answer.status)
                        for key, value in answer.getheaders():
                            if key.lower() not in ("transfer-encoding", "connection",
                                                   "content-length", "server", "date"):
                                self.send_header(key, value)
                        # A HEAD's length is the object's, as the server said.
                        length = (answer.getheader("Content-Length", "0")
                                  if self.command == "HEAD" else str(len(data)))
                        self.send_header("Content-Length", length)
                        self.end_headers()
                        if self.command != "HEAD":
                            self.wfile.write(data)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client gave up (a timed-out request)
                finally:
                    connection.close()

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = forward

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that gave up on a slow answer

        self.proxy = Quiet(("127.0.0.1", 0), Proxy)
        self.proxy.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.proxy.server_address[1]}"
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()

    def inject(self, part, *faults):
        with self.lock:
            self.faults.extend((part, fault) for fault in faults)

    def clear(self):
        with self.lock:
            self.faults.clear()
            self.requests.clear()

    def seen(self, part):
        """The outcomes of the requests whose path holds `part`, in order."""
        with self.lock:
            return [outcome for _, path, outcome in self.requests if part in path]

    def put(self, key, data):
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)

    def put_file(self, key, path):
        with open(path, "rb") as data:
            self.put(key, data.read())

    def options(self, **more):
        """The `arrow` source's options that reach this server through the proxy."""
        return {"awsEndpoint": self.url, "awsRegion": "us-east-1",
                "awsAccessKeyId": self.access_key_id,
                "awsSecretAccessKey": self.secret_access_key, **more}

    def stop(self):
        if getattr(self, "proxy", None):
            self.proxy.shutdown()
            self.proxy.server_close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
