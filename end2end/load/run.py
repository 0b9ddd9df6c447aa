"""Runs the full-stack load test (locustfile.py) three ways and prints the figures:

1. the demo AgentOS alone (as a plain client streams it: what the rest is measured against;
   agno-chat starts background runs, so that an answer survives a dropped connection,
   which cost AgentOS more);
2. one agno-chat replica in front of it;
3. two replicas sharing Redis behind nginx, round-robin, no stickiness.

Each round: LOAD_USERS simulated people (default 30), arriving LOAD_SPAWN_RATE a second,
for LOAD_SECONDS (default 60). It prints, per round, requests per second, p50/p95 of the
first and last token, failures, and each replica's CPU and peak memory. Figures are also
written to target/bench/load.json. Started by scripts/load-test.sh, which builds first.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
USERS = int(os.environ.get("LOAD_USERS", "30"))
SPAWN = os.environ.get("LOAD_SPAWN_RATE", "5")
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
BIN = os.environ.get("AGNO_CHAT_BIN", f"{ROOT}/target/release/agno-chat")
SITE = os.environ.get("LOAD_SITE_ROOT", f"{ROOT}/target/site-release")
AGENTOS, REDIS, A, B, BALANCER = 7850, 6396, 3170, 3171, 3172
HZ = os.sysconf("SC_CLK_TCK")

procs = []


def start(cmd, env=None, log=None):
    p = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    procs.append(p)
    return p


def wait_for(url, seconds=90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within {seconds} s")


def replica(port, extra=None):
    env = {
        "LEPTOS_OUTPUT_NAME": "agno-chat",
        "LEPTOS_SITE_ROOT": SITE,
        "LEPTOS_SITE_PKG_DIR": "pkg",
        "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
        "AGNO_CHAT_AGENTOS_URL": f"http://127.0.0.1:{AGENTOS}",
        "AGNO_CHAT_COOKIE_KEY": "load-test-cookie-key-0123456789abcdef",
        # Many simulated people share one address and send often: the limits are for
        # people, not for this test.
        "AGNO_CHAT_NEW_IDENTITY_RATE_PER_MIN": "0",
        "AGNO_CHAT_SEND_RATE_PER_MIN": "600",
        "AGNO_CHAT_SEND_BURST": "20",
        "AGNO_CHAT_CALL_RATE_PER_MIN": "6000",
        "AGNO_CHAT_CALL_BURST": "100",
        "AGNO_CHAT_MIN_SEND_INTERVAL_MS": "0",
        "RUST_LOG": "warn",
        **(extra or {}),
    }
    p = start([BIN], env)
    wait_for(f"http://127.0.0.1:{port}/healthz")
    return p


def balancer(port, upstreams):
    folder = tempfile.mkdtemp(prefix="agno-chat-nginx-")
    with open(f"{ROOT}/end2end/nginx.conf.template") as f:
        conf = (
            f.read()
            .replace("{{DIR}}", folder)
            .replace("{{PORT}}", str(port))
            .replace("{{UPSTREAMS}}", " ".join(f"server 127.0.0.1:{u} max_fails=0;" for u in upstreams))
        )
    with open(f"{folder}/nginx.conf", "w") as f:
        f.write(conf)
    start(["/usr/sbin/nginx", "-p", folder, "-c", f"{folder}/nginx.conf"])
    wait_for(f"http://127.0.0.1:{port}/healthz")


def usage(pid):
    """CPU seconds so far and resident memory (MiB) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / HZ
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024
    return cpu, rss


def run_round(name, host, user_class, watched):
    """One locust run; `watched`: (label, process) pairs whose CPU and memory are read."""
    out = tempfile.mkdtemp(prefix="agno-chat-locust-")
    before = {p.pid: usage(p.pid) for _, p in watched}
    peak = {p.pid: before[p.pid][1] for _, p in watched}
    locust = subprocess.Popen(
        [f"{ROOT}/.venv-load/bin/locust", "-f", f"{ROOT}/end2end/load/locustfile.py", "--headless",
         "-u", str(USERS), "-r", SPAWN, "-t", f"{SECONDS}s", "-H", host, "--csv", f"{out}/r",
         "--only-summary", user_class],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    started = time.time()
    while locust.poll() is None:
        for _, p in watched:
            peak[p.pid] = max(peak[p.pid], usage(p.pid)[1])
        time.sleep(1)
    elapsed = time.time() - started
    rows = {}
    with open(f"{out}/r_stats.csv") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    shutil.rmtree(out, ignore_errors=True)
    figures = {"round": name, "users": USERS, "seconds": SECONDS, "requests": {}, "replicas": []}
    for key, row in rows.items():
        figures["requests"][key] = {
            "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "per_s": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
        }
    for label, p in watched:
        cpu = usage(p.pid)[0] - before[p.pid][0]
        figures["replicas"].append({
            "process": label,
            "cpu_percent": round(100 * cpu / elapsed, 1),
            "peak_rss_mib": round(peak[p.pid], 1),
        })
    return figures


def show(f):
    print(f"\n{f['round']}: {f['users']} people for {f['seconds']} s")
    print(f"  {'':28s} {'count':>7s} {'fail':>5s} {'per s':>7s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for name, r in f["requests"].items():
        print(f"  {name[:28]:28s} {r['count']:7d} {r['failures']:5d} {r['per_s']:7.1f} {r['p50_ms']:8.0f} {r['p95_ms']:8.0f}")
    for r in f["replicas"]:
        print(f"  {r['process']}: CPU {r['cpu_percent']}% of one core, peak memory {r['peak_rss_mib']} MiB")


def stop_all():
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    procs.clear()


def main():
    results = []
    try:
        demo = start([f"{ROOT}/.venv/bin/python", "demo/app.py", "--host", "127.0.0.1", "--port", str(AGENTOS), "--token-delay-ms", "15"])
        wait_for(f"http://127.0.0.1:{AGENTOS}/health")
        results.append(run_round("AgentOS alone", f"http://127.0.0.1:{AGENTOS}", "AgentOsAlone", [("AgentOS", demo)]))
        show(results[-1])

        one = replica(A)
        results.append(run_round("one replica", f"http://127.0.0.1:{A}", "Person", [("replica", one), ("AgentOS", demo)]))
        show(results[-1])
        one.terminate()
        one.wait(30)

        start(["redis-server", "--port", str(REDIS), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        time.sleep(0.5)
        shared = {"AGNO_CHAT_REDIS_URL": f"redis://127.0.0.1:{REDIS}"}
        two = [replica(A, shared), replica(B, shared)]
        balancer(BALANCER, [A, B])
        results.append(run_round("two replicas, Redis, nginx", f"http://127.0.0.1:{BALANCER}", "Person", [("replica 1", two[0]), ("replica 2", two[1]), ("AgentOS", demo)]))
        show(results[-1])
    finally:
        stop_all()
    os.makedirs(f"{ROOT}/target/bench", exist_ok=True)
    with open(f"{ROOT}/target/bench/load.json", "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rounds": results}, f, indent=1)
    print("\nfigures: target/bench/load.json")


if __name__ == "__main__":
    main()
