#!/usr/bin/python3
"""Small HTTP client for bench/run: the measurements wrk cannot do, plus setup and cleanup.

Talks to one pinfold server on 127.0.0.1 over a single keep-alive connection (so no process
start-up or TCP handshake is counted in a measured round trip). The workspace API key is read
from the environment variable PINFOLD_BENCH_TOKEN. Results are printed as key=value lines for
bench/run to pick up. Python standard library only.

Subcommands:
  free-port                     print a free TCP port on 127.0.0.1
  wait-healthy                  wait until GET /healthz answers 200
  create-running                create an agent and wait until its status is "running"; print its id
  create-to-running N           N times: time POST /v0/agents -> status "running", then delete it
  exec-roundtrip ID N           N sequential `true` execs on agent ID, each one timed
  create-idle N                 create N agents, wait until all are running
  snapshot-sync ID FILES N      write FILES small files in agent ID, time the first sync, then
                                N syncs with nothing changed
  delete-all                    delete every agent of the workspace
  rss PID                       VmRSS of PID and the summed VmRSS of all its descendants
"""
import argparse
import http.client
import json
import math
import os
import socket
import sys
import time

TIMEOUT_S = 60  # upper bound for any single wait, so a broken server cannot hang the bench


def fail(message):
    print(f"agents.py: {message}", file=sys.stderr)
    sys.exit(1)


class Api:
    """One keep-alive HTTP/1.1 connection to the server, with the bench's API key."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
        token = os.environ.get("PINFOLD_BENCH_TOKEN", "")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method, path, body=None):
        """Returns (status, parsed JSON or None). Reconnects once if the server closed the socket."""
        data = json.dumps(body).encode() if body is not None else None
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed

    def create(self, name):
        status, body = self.call("POST", "/v0/agents", {"name": name, "engine": "test-http"})
        if status != 201:
            fail(f"POST /v0/agents answered {status}: {body}")
        return body["agent"]["agentId"], body["agent"]["status"]

    def status_of(self, agent_id):
        status, body = self.call("GET", f"/v0/agents/{agent_id}")
        if status != 200:
            fail(f"GET /v0/agents/{agent_id} answered {status}: {body}")
        return body["agent"]["status"]

    def wait_running(self, agent_id, poll_s):
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            state = self.status_of(agent_id)
            if state == "running":
                return
            if state != "starting":
                fail(f"agent {agent_id} went to status {state!r} instead of running")
            if time.monotonic() > deadline:
                fail(f"agent {agent_id} not running after {TIMEOUT_S} s")
            time.sleep(poll_s)

    def delete(self, agent_id):
        status, body = self.call("DELETE", f"/v0/agents/{agent_id}")
        if status // 100 != 2:
            fail(f"DELETE /v0/agents/{agent_id} answered {status}: {body}")

    def list_ids(self):
        status, body = self.call("GET", "/v0/agents")
        if status != 200:
            fail(f"GET /v0/agents answered {status}: {body}")
        return [agent["agentId"] for agent in body["agents"]]


def percentile(samples, p):
    """Nearest-rank percentile: the smallest sample with at least p% of samples at or below it.
    With 20 samples p99 is therefore the maximum."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def print_stats(prefix, samples_ms):
    print(f"{prefix}_n={len(samples_ms)}")
    for name, value in (("p50", percentile(samples_ms, 50)), ("p99", percentile(samples_ms, 99)),
                        ("min", min(samples_ms)), ("max", max(samples_ms))):
        print(f"{prefix}_{name}_ms={value:.2f}")


def cmd_free_port(_args):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def cmd_wait_healthy(args):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    fail(f"server on port {args.port} not healthy after 15 s")


def cmd_create_running(args):
    api = Api(args.port)
    agent_id, _ = api.create("bench-target")
    api.wait_running(agent_id, 0.005)
    print(agent_id)


def cmd_create_to_running(args):
    """Time from sending POST to the first GET that shows "running" (polled every 5 ms)."""
    api = Api(args.port)
    total_ms, post_ms = [], []
    for i in range(args.iterations):
        started = time.perf_counter()
        agent_id, state = api.create(f"bench-start-{i}")
        post_ms.append((time.perf_counter() - started) * 1000)
        if state != "running":
            time.sleep(args.poll_ms / 1000)
            api.wait_running(agent_id, args.poll_ms / 1000)
        total_ms.append((time.perf_counter() - started) * 1000)
        api.delete(agent_id)
    print_stats("start", total_ms)
    print_stats("post", post_ms)


def cmd_exec_roundtrip(args):
    api = Api(args.port)
    path = f"/v0/agents/{args.agent}/console/exec"

    def one_exec():
        status, body = api.call("POST", path, {"command": "true"})
        if status != 200 or body.get("exitCode") != 0:
            fail(f"exec answered {status}: {body}")

    for _ in range(args.warmup):  # not counted: the first exec may set things up lazily
        one_exec()
    samples_ms = []
    for _ in range(args.calls):
        started = time.perf_counter()
        one_exec()
        samples_ms.append((time.perf_counter() - started) * 1000)
    print_stats("exec", samples_ms)


def cmd_snapshot_sync(args):
    api = Api(args.port)
    script = (f"import os\nos.makedirs('bench-files', exist_ok=True)\n"
              f"for i in range({args.files}):\n"
              f"    open(f'bench-files/f{{i:05d}}.txt', 'w').write(f'file {{i}}\\n')\n")
    status, body = api.call("POST", f"/v0/agents/{args.agent}/console/exec",
                            {"command": f"python3 -c \"{script}\"", "timeoutMs": 120000})
    if status != 200 or body.get("exitCode") != 0:
        fail(f"writing the files answered {status}: {body}")
    path = f"/v0/agents/{args.agent}/snapshots/sync"

    def one_sync(expect_new):
        started = time.perf_counter()
        status, body = api.call("POST", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200 or (body["message"] == "Snapshot created") != expect_new:
            fail(f"sync answered {status}: {body}")
        return elapsed

    print(f"first_sync_ms={one_sync(True):.2f}")
    print_stats("nochange", [one_sync(False) for _ in range(args.calls)])


def cmd_create_idle(args):
    api = Api(args.port)
    ids = [api.create(f"bench-idle-{i}")[0] for i in range(args.count)]
    for agent_id in ids:
        api.wait_running(agent_id, 0.05)
    print(f"running={len(ids)}")


def cmd_delete_all(args):
    api = Api(args.port)
    ids = api.list_ids()
    for agent_id in ids:
        api.delete(agent_id)
    print(f"deleted={len(ids)}")


def vm_rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass  # the process ended meanwhile
    return 0


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # comm may contain spaces and ')'
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmd_rss(args):
    print(f"server_kb={vm_rss_kb(args.pid)}")
    kids = descendants(args.pid)
    print(f"children={len(kids)}")
    print(f"children_kb={sum(vm_rss_kb(pid) for pid in kids)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("free-port").set_defaults(run=cmd_free_port)
    sub.add_parser("wait-healthy").set_defaults(run=cmd_wait_healthy)
    sub.add_parser("create-running").set_defaults(run=cmd_create_running)
    p = sub.add_parser("create-to-running")
    p.add_argument("iterations", type=int)
    p.add_argument("--poll-ms", type=float, default=5)
    p.set_defaults(run=cmd_create_to_running)
    p = sub.add_parser("exec-roundtrip")
    p.add_argument("agent")
    p.add_argument("calls", type=int)
    p.add_argument("--warmup", type=int, default=3)
    p.set_defaults(run=cmd_exec_roundtrip)
    p = sub.add_parser("snapshot-sync")
    p.add_argument("agent")
    p.add_argument("files", type=int)
    p.add_argument("calls", type=int)
    p.set_defaults(run=cmd_snapshot_sync)
    p = sub.add_parser("create-idle")
    p.add_argument("count", type=int)
    p.set_defaults(run=cmd_create_idle)
    sub.add_parser("delete-all").set_defaults(run=cmd_delete_all)
    p = sub.add_parser("rss")
    p.add_argument("pid", type=int)
    p.set_defaults(run=cmd_rss)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
