"""A Graphite plaintext listener for the test: appends every metric line
Icinga's GraphiteWriter sends to a file; creates FILE.listening once it
listens and FILE.connected once the writer has connected. usage: graphite_sink.py PORT FILE"""
import socket
import sys
import threading

port, path = int(sys.argv[1]), sys.argv[2]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(8)
open(path + ".listening", "w").close()
lock = threading.Lock()


def serve(conn):
    with conn, open(path, "a", buffering=1) as out:
        for line in conn.makefile("r", errors="replace"):
            with lock:
                out.write(line)


while True:
    c, _ = srv.accept()
    # Icinga drops metrics while its writer is not connected: the test
    # forces checks only once this marker exists.
    open(path + ".connected", "w").close()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
