"""TLS session resumption with OpenSSL, through Python's ssl module.

    tls_resume.py serve PORT CERT KEY VERSION
        An HTTPS server on 127.0.0.1:PORT (certificate CERT, key KEY, TLS
        VERSION "1.2" or "1.3" at most) that issues session tickets and
        answers every request with "resumed" or "full", the kind of
        handshake of its connection, and closes the connection.

    tls_resume.py connect PORT CAFILE VERSION
        Connects to 127.0.0.1:PORT three times with one session cache,
        sends GET / on each connection and reads the answer, then prints
        for each connection whether its handshake resumed: "full resumed
        resumed" from a server that issues usable tickets.
"""
import http.server
import socket
import ssl
import sys


def version(v):
    return ssl.TLSVersion.TLSv1_2 if v == "1.2" else ssl.TLSVersion.TLSv1_3


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"resumed" if self.connection.session_reused else b"full"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *args):
        pass


def serve(port, cert, key, v):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.maximum_version = version(v)
    ctx.set_alpn_protocols(["http/1.1"])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


def connect(port, cafile, v):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    ctx.maximum_version = version(v)
    session, kinds = None, []
    for _ in range(3):
        raw = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
            if not answer.startswith(b"HTTP/1.1 200"):
                sys.exit("answer: %r" % answer)
            kinds.append("resumed" if s.session_reused else "full")
            session = s.session  # in TLS 1.3 the ticket came with the answer
    print(" ".join(kinds))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(*sys.argv[2:6])
    else:
        connect(*sys.argv[2:5])
