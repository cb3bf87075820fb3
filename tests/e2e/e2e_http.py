"""What the end-to-end scripts beside it share: PASS/FAIL checks and plain HTTP requests
against a server on the loopback interface."""
import http.client
import socket

failures = []  # what failed, in order: the scripts exit 1 when it is not empty


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, method, path, headers=None, body=None):
    """One request on its own connection: (status, headers with lowercased names, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
