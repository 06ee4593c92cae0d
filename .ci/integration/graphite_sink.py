"""A Graphite plaintext listener for the test: appends every metric line
Icinga's GraphiteWriter sends to a file. usage: graphite_sink.py PORT FILE"""
import socket
import sys
import threading

port, path = int(sys.argv[1]), sys.argv[2]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(8)
lock = threading.Lock()


def serve(conn):
    with conn, open(path, "a", buffering=1) as out:
        for line in conn.makefile("r", errors="replace"):
            with lock:
                out.write(line)


while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
