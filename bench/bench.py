#!/usr/bin/env python3
"""Side-by-side TFTP benchmark: floorflash and the peers from Debian's packages under the same load.

Every server runs on 127.0.0.1:69 inside a private network namespace of its own (dnsmasq's TFTP port is always
69), created here and removed at the end. The load is floorflash's own simulator (loadtest module), run inside the
same namespace, so no packet leaves the machine. Scenarios are interleaved (each repetition runs every server in a
rotating order) and each figure is the median of the repetitions. Server CPU is read from a cpuacct cgroup that
holds the server and anything it forks (tftpd-hpa forks a child per transfer), or from /proc when cgroups are not
writable.

Run as root from the repository root:  sudo python3 bench/bench.py            (full run, ~30-60 min)
                                        sudo python3 bench/bench.py --quick    (small sizes, one repetition)
It is a benchmark, not a test: it never runs in `mvn verify`. Results: bench/results/<date>.md and latest.md.
"""
import argparse
import datetime
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVER_JAR = REPO / "server/target/floorflash.jar"
LOADTEST_JAR = REPO / "loadtest/target/floorflash-loadtest.jar"
WORK = REPO / "bench/.work"
PEERS = REPO / "bench/.peers"
CGROUP = Path("/sys/fs/cgroup/cpuacct")
MiB = 1024 * 1024


class Scenario:
    def __init__(self, key, title, file, phones, args, needs_window=False, duration=120):
        self.key, self.title, self.file, self.phones = key, title, file, phones
        self.args, self.needs_window, self.duration = args, needs_window, duration


def scenarios(quick):
    big, small = ("big.bin", "small.bin")
    n500, n1000 = (100, 200) if quick else (500, 1000)
    plain = ["--profile", "plain"]
    return [
        Scenario("1x20-1468", "1 phone × 20 MiB, lock-step, blksize 1468", big, 1, plain + ["--blksize", "1468"]),
        Scenario("1x20-w16", "1 phone × 20 MiB, blksize 1468, windowsize 16", big, 1,
                 plain + ["--blksize", "1468", "--windowsize", "16"], needs_window=True),
        Scenario(f"{n500}x2-512", f"{n500} phones × 2 MiB, lock-step, 512 (Snom bootloader)", small, n500,
                 ["--profile", "snom-bootloader"]),
        Scenario(f"{n500}x2-1468", f"{n500} phones × 2 MiB, lock-step, blksize 1468", small, n500,
                 plain + ["--blksize", "1468"]),
        Scenario(f"{n1000}x2-512", f"{n1000} phones × 2 MiB, lock-step, 512 (Snom bootloader)", small, n1000,
                 ["--profile", "snom-bootloader"]),
        Scenario(f"{n1000}x2-1468", f"{n1000} phones × 2 MiB, lock-step, blksize 1468", small, n1000,
                 plain + ["--blksize", "1468"]),
        Scenario(f"{n1000}x2-1468-w8", f"{n1000} phones × 2 MiB, blksize 1468, windowsize 8", small, n1000,
                 plain + ["--blksize", "1468", "--windowsize", "8"], needs_window=True),
        Scenario(f"{n500}x2-512-loss5", f"{n500} phones × 2 MiB, 512, 5% loss each way", small, n500,
                 ["--profile", "snom-bootloader", "--loss-rx", "0.05", "--loss-tx", "0.05"]),
        Scenario(f"{n500}x2-1468-w8-loss5", f"{n500} phones × 2 MiB, blksize 1468, windowsize 8, 5% loss each way",
                 small, n500, plain + ["--blksize", "1468", "--windowsize", "8", "--loss-rx", "0.05", "--loss-tx", "0.05"],
                 needs_window=True),
    ]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ensure_peers():
    """dnsmasq and atftpd from Debian; tftpd-hpa unpacked beside them (its package conflicts with atftpd's)."""
    missing = [p for p, b in (("dnsmasq-base", "/usr/sbin/dnsmasq"), ("atftpd", "/usr/sbin/atftpd")) if not Path(b).exists()]
    if missing:
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    hpa = PEERS / "tftpd-hpa/usr/sbin/in.tftpd"
    if not hpa.exists():
        PEERS.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            run(["apt-get", "download", "tftpd-hpa"], cwd=tmp)
            deb = next(Path(tmp).glob("tftpd-hpa_*.deb"))
            run(["dpkg-deb", "-x", str(deb), str(PEERS / "tftpd-hpa")])
    return hpa


def make_firmware(quick):
    root = WORK / "firmware"
    root.mkdir(parents=True, exist_ok=True)
    sizes = {"small.bin": (256 * 1024 if quick else 2 * MiB), "big.bin": (4 * MiB if quick else 20 * MiB)}
    for name, size in sizes.items():
        path = root / name
        if not path.exists() or path.stat().st_size != size:
            path.write_bytes(random.Random(name).randbytes(size))
    os.chmod(root, 0o755)
    for p in root.iterdir():
        os.chmod(p, 0o644)
    return root


class Server:
    """One server on 127.0.0.1:69 in its own network namespace, its CPU counted in a cgroup."""

    def __init__(self, name, argv, window):
        self.name, self.argv, self.window = name, argv, window
        self.ns = f"ffb-{name}-{os.getpid()}"
        self.proc = None
        self.cgroup = CGROUP / f"floorflash-bench-{name}-{os.getpid()}"
        self.use_cgroup = False

    def start(self, logdir):
        run(["ip", "netns", "add", self.ns])
        run(["ip", "netns", "exec", self.ns, "ip", "link", "set", "lo", "up"])
        # tftpd-hpa resolves its --address with AI_ADDRCONFIG, which fails when loopback is the only address. A veth
        # pair with both ends inside the namespace gives it a documentation address (RFC 5737) that routes nowhere.
        for cmd in (["ip", "link", "add", "ffb0", "type", "veth", "peer", "name", "ffb1"],
                    ["ip", "addr", "add", "192.0.2.1/32", "dev", "ffb0"],
                    ["ip", "link", "set", "ffb0", "up"], ["ip", "link", "set", "ffb1", "up"]):
            run(["ip", "netns", "exec", self.ns, *cmd])
        try:
            self.cgroup.mkdir()
            self.use_cgroup = True
        except OSError:
            self.use_cgroup = False
        log = open(logdir / f"{self.name}.log", "w")
        # The child joins the cgroup before it execs, so everything it forks is counted too.
        pre = (lambda: (self.cgroup / "cgroup.procs").write_text(str(os.getpid()))) if self.use_cgroup else None
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, *self.argv], stdout=log, stderr=subprocess.STDOUT,
                                     preexec_fn=pre, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited at start; see {logdir / (self.name + '.log')}")
            if self.answers():
                return
            time.sleep(0.2)
        raise SystemExit(f"{self.name} does not answer on 127.0.0.1:69 in its namespace")

    def answers(self):
        probe = ("import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(0.5);"
                 "s.sendto(b'\\x00\\x01small.bin\\x00octet\\x00',('127.0.0.1',69));d,a=s.recvfrom(600);"
                 "s.sendto(b'\\x00\\x05\\x00\\x00probe\\x00',a)")
        return subprocess.run(["ip", "netns", "exec", self.ns, sys.executable, "-c", probe],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def cpu_seconds(self):
        if self.use_cgroup:
            return int((self.cgroup / "cpuacct.usage").read_text()) / 1e9
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        subprocess.run(["ip", "netns", "del", self.ns], stderr=subprocess.DEVNULL)
        if self.use_cgroup:
            for _ in range(50):
                try:
                    self.cgroup.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def servers(root, hpa, which):
    java = shutil.which("java")
    all_servers = {
        "floorflash": Server("floorflash", [java, "-jar", str(SERVER_JAR), "--address", "127.0.0.1", "--port", "69",
                                            "--root", str(root)], window=True),
        "tftpd-hpa": Server("tftpd-hpa", [str(hpa), "--foreground", "--listen", "--address", "127.0.0.1:69",
                                          "--user", "root", "--secure", str(root)], window=False),
        "dnsmasq": Server("dnsmasq", ["/usr/sbin/dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                                      "--enable-tftp", f"--tftp-root={root}", "--listen-address=127.0.0.1",
                                      "--bind-interfaces", "--tftp-max=10000", "--user=root", "--pid-file="],
                          window=False),
        "atftpd": Server("atftpd", ["/usr/sbin/atftpd", "--daemon", "--no-fork", "--port", "69", "--bind-address",
                                    "127.0.0.1", "--maxthread", "10000", "--user", "root.root", "--logfile",
                                    "/dev/null", str(root)], window=True),
    }
    return [all_servers[n] for n in which]


def load(server, scenario, root, outdir, rep):
    out = outdir / f"{scenario.key}-{server.name}-{rep}.json"
    cmd = ["ip", "netns", "exec", server.ns, shutil.which("java"), "-jar", str(LOADTEST_JAR), "--host", "127.0.0.1",
           "--port", "69", "--file", scenario.file, "--expect-file", str(root / scenario.file),
           "--phones", str(scenario.phones), "--duration", str(scenario.duration), "--json", str(out),
           "--seed", str(rep), *scenario.args]
    cpu0 = server.cpu_seconds()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=scenario.duration + 60)
    cpu = server.cpu_seconds() - cpu0
    (outdir / f"{scenario.key}-{server.name}-{rep}.txt").write_text(proc.stdout)
    if not out.exists():
        raise SystemExit(f"loadtest wrote no report for {scenario.key} on {server.name}:\n{proc.stdout[-2000:]}")
    result = json.loads(out.read_text())
    result["server_cpu_s"] = cpu
    gb = result["bytes"] / 1e9
    result["server_cpu_s_per_GB"] = cpu / gb if gb > 0 else float("nan")
    return result


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def table(results, scenario, names):
    rows = []
    stats = {}
    for name in names:
        runs = results.get((scenario.key, name))
        if not runs:
            continue
        stats[name] = {k: median([r[k] for r in runs]) for k in
                       ("goodput_MBps", "completion_ms_p50", "completion_ms_p99", "first_data_ms_p99", "failed",
                        "server_cpu_s_per_GB", "simulator_cpu_s_per_GB")}
    peers = [s["goodput_MBps"] for n, s in stats.items() if n != "floorflash"]
    best = max(peers) if peers else float("nan")
    for name, s in stats.items():
        ratio = s["goodput_MBps"] / best if best and best == best else float("nan")
        rows.append(f"| {name} | {s['goodput_MBps']:.1f} | {ratio:.2f}× | {s['completion_ms_p50'] / 1000:.2f} | "
                    f"{s['completion_ms_p99'] / 1000:.2f} | {s['first_data_ms_p99'] / 1000:.2f} | {s['failed']:.0f} | "
                    f"{s['server_cpu_s_per_GB']:.1f} | {s['simulator_cpu_s_per_GB']:.1f} |")
    header = ("| server | goodput MB/s | vs best peer | completion p50 s | p99 s | first DATA p99 s | failed | "
              "server CPU s/GB | simulator CPU s/GB |\n|---|---|---|---|---|---|---|---|---|")
    return f"### {scenario.title}\n\n{header}\n" + "\n".join(rows) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small files and counts, one repetition")
    parser.add_argument("--reps", type=int, default=None, help="repetitions per scenario (default 3, 1 with --quick)")
    parser.add_argument("--servers", default="floorflash,tftpd-hpa,dnsmasq,atftpd")
    parser.add_argument("--only", default="", help="comma-separated scenario keys to run")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: network namespaces and cgroups need it")
    reps = args.reps or (1 if args.quick else 3)
    if not SERVER_JAR.exists() or not LOADTEST_JAR.exists():
        run(["mvn", "-B", "-q", "-DskipTests", "package"], cwd=REPO)
    hpa = ensure_peers()
    root = make_firmware(args.quick)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    outdir = WORK / f"run-{stamp}"
    outdir.mkdir(parents=True, exist_ok=True)
    chosen = [s for s in scenarios(args.quick) if not args.only or s.key in args.only.split(",")]
    running = servers(root, hpa, args.servers.split(","))
    results = {}
    started = time.time()
    try:
        for server in running:
            server.start(outdir)
        # One untimed run each, so that no figure includes a JIT's warm-up or a first read of the files from disk.
        warmup = Scenario("warmup", "warm-up", "small.bin", 50, ["--profile", "plain", "--blksize", "1468"])
        for server in running:
            load(server, warmup, root, outdir, 0)
        for rep in range(1, reps + 1):
            for scenario in chosen:
                order = running[rep - 1:] + running[:rep - 1]
                for server in order:
                    if scenario.needs_window and not server.window:
                        continue
                    r = load(server, scenario, root, outdir, rep)
                    results.setdefault((scenario.key, server.name), []).append(r)
                    print(f"[{time.time() - started:6.0f}s] rep {rep} {scenario.key:24} {server.name:10} "
                          f"{r['goodput_MBps']:8.1f} MB/s  p99 {r['completion_ms_p99'] / 1000:6.2f} s  "
                          f"failed {r['failed']}  server CPU {r['server_cpu_s_per_GB']:.1f} s/GB", flush=True)
    finally:
        for server in running:
            server.stop()
    names = [s.name for s in running]
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], stdout=subprocess.PIPE,
                         text=True).stdout.strip()
    body = [f"# floorflash vs peers — {stamp}\n",
            f"Command: `sudo python3 bench/bench.py{' --quick' if args.quick else ''}`; {reps} repetition(s), "
            f"medians; {os.cpu_count()} cores ({cpu}); loopback inside one private network namespace per server; "
            "load from floorflash-loadtest in the same namespace (so the simulator shares the 2 cores with the "
            "server: its own CPU is the last column). 'vs best peer' divides goodput by the best peer's in the "
            "same scenario. Windowed scenarios run only on servers that support windowsize (RFC 7440). Each server "
            "first serves one untimed warm-up run (50 phones), so no figure includes a JIT's warm-up.\n"]
    for scenario in chosen:
        body.append(table(results, scenario, names))
    text = "\n".join(body)
    results_dir = REPO / "bench/results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{stamp}{'-quick' if args.quick else ''}.md").write_text(text)
    if not args.quick:
        (results_dir / "latest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
