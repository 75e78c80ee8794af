#!/usr/bin/env python3
"""Side-by-side TFTP benchmark: floorflash and the peers from Debian's packages under the same load.

Every server runs on 127.0.0.1:69 inside a private network namespace of its own (dnsmasq's TFTP port is always
69), created here and removed at the end. The load comes from bench/tftpgen.c (a small C generator, the default: it
costs less CPU per GB than the servers, so it does not set the pace on the shared cores) or, with --generator java,
from floorflash's own simulator (loadtest module); either runs inside the same namespace, so no packet leaves the
machine. The largest floor runs several generator processes side by side (one process may hold 20,000 descriptors
here) and sums their reports. Scenarios are interleaved (each repetition runs every server in a
rotating order) and each figure is the median of the repetitions. Server CPU is read from a cpuacct cgroup that
holds the server and anything it forks (tftpd-hpa forks a child per transfer), or from /proc when cgroups are not
writable.

Run as root from the repository root:  sudo python3 bench/bench.py            (full run, ~40-60 min)
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
TFTPGEN_SOURCE = REPO / "bench/tftpgen.c"
TFTPGEN = None  # the compiled generator, when --generator c
WORK = REPO / "bench/.work"
PEERS = REPO / "bench/.peers"
CGROUP = Path("/sys/fs/cgroup/cpuacct")
MiB = 1024 * 1024


class Scenario:
    def __init__(self, key, title, file, phones, args, needs_window=False, duration=120, only=None, once=False,
                 procs=1, variants=(), peers_once=False):
        self.key, self.title, self.file, self.phones = key, title, file, phones
        self.args, self.needs_window, self.duration = args, needs_window, duration
        # only: the servers that run it (None: all); once: in the first repetition only (a long run);
        # procs: generator processes side by side, the phones split between them; variants: the floorflash
        # variants (two event loops, the engine before) that run it too
        self.only, self.once, self.procs, self.variants = only, once, procs, variants
        # peers_once: the peers run it in the first repetition only (they finish none of the loss runs in the cap)
        self.peers_once = peers_once

    def runs_on(self, server):
        if server.variant:
            return server.name in self.variants
        return (self.only is None or server.name in self.only) and (server.window or not self.needs_window)


# floorflash with two event loops, and the engine before (--before JAR): extra rows in the lock-step and window rows.
VARIANTS = ("floorflash-2loops", "floorflash-before")


def scenarios(quick):
    big, small = ("big.bin", "small.bin")
    n500, n1000, n5000, n20000 = (100, 200, 1000, 2000) if quick else (500, 1000, 5000, 20000)
    mib = "256 KiB" if quick else "2 MiB"
    big_mib = "4 MiB" if quick else "20 MiB"
    plain = ["--profile", "plain"]
    loss = ["--loss-rx", "0.05", "--loss-tx", "0.05"]
    return [
        Scenario("1x20-1468", f"1 phone × {big_mib}, lock-step, blksize 1468", big, 1, plain + ["--blksize", "1468"]),
        Scenario("1x20-w16", f"1 phone × {big_mib}, blksize 1468, windowsize 16", big, 1,
                 plain + ["--blksize", "1468", "--windowsize", "16"], needs_window=True),
        Scenario(f"{n500}x2-512", f"{n500} phones × {mib}, lock-step, 512 (Snom bootloader)", small, n500,
                 ["--profile", "snom-bootloader"]),
        Scenario(f"{n500}x2-1468", f"{n500} phones × {mib}, lock-step, blksize 1468", small, n500,
                 plain + ["--blksize", "1468"]),
        Scenario(f"{n1000}x2-512", f"{n1000} phones × {mib}, lock-step, 512 (Snom bootloader)", small, n1000,
                 ["--profile", "snom-bootloader"], duration=180, variants=VARIANTS),
        Scenario(f"{n1000}x2-1468", f"{n1000} phones × {mib}, lock-step, blksize 1468", small, n1000,
                 plain + ["--blksize", "1468"], variants=VARIANTS),
        Scenario(f"{n1000}x2-1468-w8", f"{n1000} phones × {mib}, blksize 1468, windowsize 8", small, n1000,
                 plain + ["--blksize", "1468", "--windowsize", "8"], needs_window=True, variants=VARIANTS),
        Scenario(f"{n500}x2-512-loss5", f"{n500} phones × {mib}, 512, 5% loss each way", small, n500,
                 ["--profile", "snom-bootloader", *loss], peers_once=True),
        Scenario(f"{n500}x2-1468-loss5", f"{n500} phones × {mib}, lock-step, blksize 1468, 5% loss each way", small,
                 n500, plain + ["--blksize", "1468", *loss], peers_once=True),
        Scenario(f"{n500}x2-1468-w8-loss5", f"{n500} phones × {mib}, blksize 1468, windowsize 8, 5% loss each way",
                 small, n500, plain + ["--blksize", "1468", "--windowsize", "8", *loss], needs_window=True,
                 peers_once=True),
        Scenario(f"{n5000}x2-1468", f"{n5000} phones × {mib} at once, blksize 1468 (floorflash only, one run)", small,
                 n5000, plain + ["--blksize", "1468"], duration=300, only=["floorflash"], once=True),
        Scenario(f"{n20000}x256k-1468", f"{n20000} phones × 256 KiB at once, blksize 1468, 4 generator processes "
                 "(floorflash only, one run)", "quarter.bin", n20000, plain + ["--blksize", "1468"], duration=300,
                 only=["floorflash"], once=True, procs=4),
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
    sizes = {"small.bin": (256 * 1024 if quick else 2 * MiB), "big.bin": (4 * MiB if quick else 20 * MiB),
             "quarter.bin": 256 * 1024,
             "huge.bin": (8 * MiB if quick else 50 * 1000 * 1000)}
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

    def __init__(self, name, argv, window, variant=False):
        self.name, self.argv, self.window, self.variant = name, argv, window, variant
        self.ns = f"ffb-{name}-{os.getpid()}"
        self.proc = None
        self.cgroup = CGROUP / f"floorflash-bench-{name}-{os.getpid()}"
        self.use_cgroup = False
        self.logdir = None
        self.exits = []  # the scenarios after which it was found dead (and started again)

    def start(self, logdir):
        self.logdir = logdir
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
        log = open(logdir / f"{self.name}.log", "a")
        # The child joins the cgroup before it execs, so everything it forks is counted too.
        pre = (lambda: (self.cgroup / "cgroup.procs").write_text(str(os.getpid()))) if self.use_cgroup else None
        # Its working directory is the run's folder, so whatever it writes (floorflash's audit log) stays there.
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, *self.argv], stdout=log, stderr=subprocess.STDOUT,
                                     preexec_fn=pre, start_new_session=True, cwd=logdir)
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

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def restart_if_dead(self, when):
        """A server that died (atftpd aborts past ~1000 descriptors) is noted and started again for the next run."""
        if self.alive():
            return
        self.exits.append(when)
        print(f"  {self.name} found dead (status {self.proc.returncode}) {when}; starting it again", flush=True)
        self.stop()
        self.start(self.logdir)

    def receive_drops(self):
        """Datagrams the kernel dropped on the server's port-69 socket(s) ('drops' of /proc/net/udp and udp6: a Java
        server's sockets may be IPv6 ones, cumulative)."""
        text = subprocess.run(["ip", "netns", "exec", self.ns, "cat", "/proc/net/udp", "/proc/net/udp6"],
                              stdout=subprocess.PIPE, text=True).stdout
        drops = 0
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) > 12 and fields[1].endswith(":0045"):
                drops += int(fields[-1])
        return drops

    def open_files(self):
        """Descriptors the server process holds now (0 once it is gone)."""
        try:
            return len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        except OSError:
            return 0

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


def servers(root, hpa, which, outdir, before_jar):
    java = shutil.which("java")
    # Every simulated phone sends from 127.0.0.1, like a floor behind one NAT address: lift the per-address cap
    # (transfer.max-transfers-per-address) to the largest floor the bench runs.
    one_address = "floorflash.transfer.max-transfers-per-address = 20000\n"
    floor_conf = outdir / "floorflash.conf"
    floor_conf.write_text(one_address)
    two_loops = outdir / "floorflash-2loops.conf"
    two_loops.write_text(one_address + "floorflash.tftp.event-loop-threads = 2\n")
    all_servers = {
        "floorflash": Server("floorflash", [java, "-jar", str(SERVER_JAR), "--config", str(floor_conf), "--address",
                                            "127.0.0.1", "--port", "69", "--root", str(root)], window=True),
        # The same jar with two event loops: how the engine scales with tftp.event-loop-threads on these cores.
        "floorflash-2loops": Server("floorflash-2loops", [java, "-jar", str(SERVER_JAR), "--config", str(two_loops),
                                                          "--address", "127.0.0.1", "--port", "69", "--root", str(root),
                                                          "--http-port", "8070"], window=True, variant=True),
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
    if before_jar:
        all_servers["floorflash-before"] = Server("floorflash-before", [java, "-jar", str(before_jar), "--address",
                                                                        "127.0.0.1", "--port", "69", "--root", str(root),
                                                                        "--http-port", "8071"], window=True, variant=True)
        which = [*which, "floorflash-before"]
    return [all_servers[n] for n in which]


def generator_command(server, scenario, root, out, phones, seed):
    """One generator process of {phones} phones, in the server's namespace, writing its JSON report to {out}."""
    common = ["--host", "127.0.0.1", "--port", "69", "--file", scenario.file, "--expect-file", str(root / scenario.file),
              "--phones", str(phones), "--duration", str(scenario.duration), "--json", str(out), "--seed", str(seed),
              *scenario.args]
    program = [str(TFTPGEN)] if TFTPGEN else [shutil.which("java"), "-jar", str(LOADTEST_JAR)]
    return ["ip", "netns", "exec", server.ns, *program, *common]


def merge(reports):
    """Several generator processes' reports as one: sums, the longest elapsed time, the worst p99 and the median p50."""
    if len(reports) == 1:
        return reports[0]
    merged = dict(reports[0])
    for key in ("transfers", "ok", "failed", "bytes", "simulator_cpu_s"):
        merged[key] = sum(r[key] for r in reports)
    merged["elapsed_s"] = max(r["elapsed_s"] for r in reports)
    merged["goodput_MBps"] = merged["bytes"] / 1e6 / merged["elapsed_s"]
    for key in ("first_data_ms_p99", "completion_ms_p99"):
        merged[key] = max(r[key] for r in reports)
    for key in ("first_data_ms_p50", "completion_ms_p50"):
        merged[key] = statistics.median(r[key] for r in reports)
    merged["simulator_cpu_s_per_GB"] = merged["simulator_cpu_s"] / (merged["bytes"] / 1e9) if merged["bytes"] else 0
    return merged


def load(server, scenario, root, outdir, rep):
    name = f"{scenario.key}-{server.name}-{rep}"
    outs = [outdir / (f"{name}.json" if scenario.procs == 1 else f"{name}-{i}.json") for i in range(scenario.procs)]
    share = [scenario.phones // scenario.procs + (1 if i < scenario.phones % scenario.procs else 0)
             for i in range(scenario.procs)]
    cpu0, drops0 = server.cpu_seconds(), server.receive_drops()
    fds0 = server.open_files()
    logs = [open(outdir / f"{name}-{i}.txt", "w") for i in range(scenario.procs)]
    procs = [subprocess.Popen(generator_command(server, scenario, root, out, n, rep * 100 + i), stdout=log,
                              stderr=subprocess.STDOUT) for i, (out, n, log) in enumerate(zip(outs, share, logs))]
    # The server's open files, read once a second while the generators run: they must not grow with the transfers.
    fds_max = fds0
    deadline = time.time() + scenario.duration + 60
    while any(p.poll() is None for p in procs) and time.time() < deadline:
        fds_max = max(fds_max, server.open_files())
        time.sleep(1)
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()
    for log in logs:
        log.close()
    cpu = server.cpu_seconds() - cpu0 if server.alive() else float("nan")
    drops = server.receive_drops() - drops0 if server.alive() else float("nan")
    missing = [out for out in outs if not out.exists()]
    if missing:
        text = (outdir / f"{name}-0.txt").read_text()[-2000:]
        raise SystemExit(f"the generator wrote no report for {scenario.key} on {server.name}:\n{text}")
    result = merge([json.loads(out.read_text()) for out in outs])
    result["server_cpu_s"] = cpu
    result["listener_drops"] = drops
    result["server_exited"] = not server.alive()
    result["open_files_before"] = fds0
    result["open_files_max"] = fds_max
    gb = result["bytes"] / 1e9
    result["server_cpu_s_per_GB"] = cpu / gb if gb > 0 else float("nan")
    (outdir / f"{name}.merged.json").write_text(json.dumps(result))
    return result


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


STAT_KEYS = ("goodput_MBps", "completion_ms_p50", "completion_ms_p99", "first_data_ms_p99", "failed",
             "listener_drops", "server_cpu_s_per_GB", "simulator_cpu_s_per_GB", "open_files_before", "open_files_max")


def scenario_stats(results, scenario, names):
    """Per server: the median of each figure over the repetitions, and how many runs there were."""
    stats = {}
    for name in names:
        runs = results.get((scenario.key, name))
        if runs:
            stats[name] = {k: median([r[k] for r in runs]) for k in STAT_KEYS}
            stats[name]["runs"] = len(runs)
            stats[name]["exited"] = sum(1 for r in runs if r.get("server_exited"))
    return stats


def fmt(value, spec, unit=""):
    return "—" if value != value else f"{value:{spec}}{unit}"


GENERATOR_BOUND = "generator-bound"


def generator_bound(server_cpu, generator_cpu):
    """Whether the load generator spent more CPU per GB than the server: on shared cores the generator then sets the
    pace, and the row measures the generator more than the server."""
    return server_cpu == server_cpu and generator_cpu == generator_cpu and generator_cpu > server_cpu


def table(results, scenario, names):
    stats = scenario_stats(results, scenario, names)
    peers = [s["goodput_MBps"] for n, s in stats.items() if not n.startswith("floorflash")]
    best = max(peers) if peers else float("nan")
    rows = []
    for name, s in stats.items():
        ratio = s["goodput_MBps"] / best if best and best == best else float("nan")
        note = f" (exited in {s['exited']} of {s['runs']} runs)" if s["exited"] else ""
        server_cpu, generator_cpu = s["server_cpu_s_per_GB"], s["simulator_cpu_s_per_GB"]
        bound = f" **{GENERATOR_BOUND}**" if generator_bound(server_cpu, generator_cpu) else ""
        rows.append(f"| {name}{note} | {s['goodput_MBps']:.1f} | {fmt(ratio, '.2f', '×')} | "
                    f"{s['completion_ms_p50'] / 1000:.2f} | {s['completion_ms_p99'] / 1000:.2f} | "
                    f"{s['first_data_ms_p99'] / 1000:.2f} | {s['failed']:.0f} | {fmt(s['listener_drops'], '.0f')} | "
                    f"{fmt(server_cpu, '.2f')} | {fmt(generator_cpu, '.2f')}{bound} | "
                    f"{fmt(s['open_files_before'], '.0f')} → {fmt(s['open_files_max'], '.0f')} |")
    header = ("| server | goodput MB/s | vs best peer | completion p50 s | p99 s | first DATA p99 s | failed | "
              "listener drops | server CPU s/GB | generator CPU s/GB | open files |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|")
    return f"### {scenario.title}\n\n{header}\n" + "\n".join(rows) + "\n"


def memory_probe(server, root, outdir, quick):
    """1000 phones fetch one 50 MB image (floorflash only): heap, direct memory and RSS while they are all active,
    each read after a full GC, against the same read before the run."""
    phones = 200 if quick else 1000

    def sample():
        subprocess.run(["jcmd", str(server.proc.pid), "GC.run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = subprocess.run(["ip", "netns", "exec", server.ns, "curl", "-sS", "--max-time", "5",
                               "http://127.0.0.1:8069/metrics"], stdout=subprocess.PIPE, text=True).stdout
        values = {"heap": 0.0, "jvm_direct": 0.0, "netty_direct": 0.0, "cache": 0.0, "active": 0.0}
        for line in text.splitlines():
            if line.startswith("#") or " " not in line:
                continue
            key, value = line.rsplit(" ", 1)
            if key.startswith("jvm_memory_used_bytes") and 'area="heap"' in key:
                values["heap"] += float(value)
            elif key.startswith("jvm_buffer_memory_used_bytes") and 'id="direct"' in key:
                values["jvm_direct"] = float(value)
            elif key.startswith("floorflash_netty_allocator_used_bytes") and 'memory="direct"' in key:
                values["netty_direct"] = float(value)
            elif key.startswith("floorflash_cache_size_bytes"):
                values["cache"] = float(value)
            elif key.startswith("floorflash_transfers_active"):
                values["active"] = float(value)
        status = Path(f"/proc/{server.proc.pid}/status").read_text()
        values["rss"] = float(next(l.split()[1] for l in status.splitlines() if l.startswith("VmRSS:"))) * 1024
        return values

    before = sample()
    out = outdir / "memory-floorflash.json"
    # Lock-step keeps every transfer active through the probe (1000 × 50 MB take minutes); the run is cut at 25 s.
    probe = Scenario("memory", "memory probe", "huge.bin", phones, ["--profile", "plain", "--blksize", "1468"],
                     duration=25)
    cmd = generator_command(server, probe, root, out, phones, 1)
    load_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        time.sleep(15)
        during = sample()
    finally:
        load_proc.wait(timeout=120)
    image = (root / "huge.bin").stat().st_size
    active = during["active"] or float("nan")
    extra = (during["heap"] + during["jvm_direct"] + during["netty_direct"]
             - before["heap"] - before["jvm_direct"] - before["netty_direct"] - image)
    rows = "\n".join(f"| {k} | {before[k] / MiB:.1f} | {during[k] / MiB:.1f} |"
                      for k in ("heap", "jvm_direct", "netty_direct", "cache", "rss"))
    return (f"### Memory: {phones} active transfers of one {image / 1e6:.0f} MB image (floorflash)\n\n"
            f"Read after a full GC (`jcmd PID GC.run`) before the run and 15 s into it, from `/metrics` and "
            f"/proc. Transfers active at the second read: {during['active']:.0f}.\n\n"
            "| MiB | before | during |\n|---|---|---|\n" + rows + "\n\n"
            f"Image copies in memory: {(during['cache'] - before['cache']) / image:.2f} (growth of the cache's bytes / "
            "image size; the cache already held the smaller images). Heap and direct "
            f"memory beyond the image: {extra / active / 1024:.1f} KiB per active transfer.\n"), {
        "before": before, "during": during, "image": image, "per_transfer_bytes": extra / active}


def targets(results, chosen, names, memory, n1000, n500, n20000):
    """The engine issue's targets (issue 11), each marked met or not with the measured figure and ratio."""
    by_key = {sc.key: scenario_stats(results, sc, names) for sc in chosen}

    def get(key, server, stat):
        return by_key.get(key, {}).get(server, {}).get(stat, float("nan"))

    def mark(ok):
        return "—" if ok is None else ("met" if ok else "not met")

    def ratio(a, b):
        return a / b if b and b == b and a == a else float("nan")

    rows = []
    for blk in ("1468", "512"):
        key = f"{n1000}x2-{blk}"
        g = ratio(get(key, "floorflash", "goodput_MBps"), get(key, "dnsmasq", "goodput_MBps"))
        c = ratio(get(key, "floorflash", "server_cpu_s_per_GB"), get(key, "dnsmasq", "server_cpu_s_per_GB"))
        rows.append((f"1. lock-step {n1000} × 2 MiB at {blk}: goodput ≥ 1.1× dnsmasq",
                     f"{get(key, 'floorflash', 'goodput_MBps'):.1f} vs {get(key, 'dnsmasq', 'goodput_MBps'):.1f} MB/s "
                     f"= {fmt(g, '.2f', '×')}", mark(None if g != g else g >= 1.1)))
        rows.append((f"1. lock-step {n1000} × 2 MiB at {blk}: server CPU per GB ≤ 0.8× dnsmasq",
                     f"{get(key, 'floorflash', 'server_cpu_s_per_GB'):.2f} vs "
                     f"{get(key, 'dnsmasq', 'server_cpu_s_per_GB'):.2f} s/GB = {fmt(c, '.2f', '×')}",
                     mark(None if c != c else c <= 0.8)))
    key = f"{n20000}x256k-1468"
    failed, fd = get(key, "floorflash", "failed"), get(key, "floorflash", "first_data_ms_p99") / 1000
    drops = get(key, "floorflash", "listener_drops")
    files0, files = get(key, "floorflash", "open_files_before"), get(key, "floorflash", "open_files_max")
    grew = files - files0
    rows.append((f"2. {n20000} phones at once (256 KiB, 1468): 0 failed, first DATA p99 ≤ 1 s, 0 listener drops, "
                 "open files flat", f"{fmt(failed, '.0f')} failed, p99 {fd:.2f} s, {fmt(drops, '.0f')} drops, open files "
                 f"{fmt(files0, '.0f')} → at most {fmt(files, '.0f')}",
                 mark(None if failed != failed else failed == 0 and fd <= 1 and drops == 0 and grew <= 16)))
    key = "1x20-1468"
    r = ratio(get(key, "floorflash", "goodput_MBps"), get(key, "dnsmasq", "goodput_MBps"))
    rows.append(("3. one phone alone, lock-step 1468: ≥ 1.0× dnsmasq",
                 f"{get(key, 'floorflash', 'goodput_MBps'):.1f} vs {get(key, 'dnsmasq', 'goodput_MBps'):.1f} MB/s = "
                 f"{fmt(r, '.2f', '×')}", mark(None if r != r else r >= 1.0)))
    w8 = f"{n1000}x2-1468-w8"
    g, before = get(w8, "floorflash", "goodput_MBps"), get(w8, "floorflash-before", "goodput_MBps")
    rows.append((f"4. windowsize 8, {n1000} phones: no worse than the engine before, same run",
                 f"{g:.1f} vs {fmt(before, '.1f')} MB/s, {get(w8, 'floorflash', 'failed'):.0f} failed",
                 mark(None if before != before else g >= before and get(w8, "floorflash", "failed") == 0)))
    for key, limit, what in ((f"{n500}x2-512-loss5", 20, "512"), (f"{n500}x2-1468-loss5", 10, "1468")):
        p99, failed = get(key, "floorflash", "completion_ms_p99") / 1000, get(key, "floorflash", "failed")
        rows.append((f"5. {n500} phones at 5% loss each way, lock-step {what}: all byte-exact, p99 ≤ {limit} s",
                     f"{failed:.0f} failed, p99 {p99:.1f} s", mark(failed == 0 and p99 <= limit)))
    if memory:
        per = memory["per_transfer_bytes"] / 1024
        copies = (memory["during"]["cache"] - memory["before"]["cache"]) / memory["image"]
        rows.append(("6. memory: ≤ 2 KiB of heap and direct memory per running transfer beyond the shared image",
                     f"{copies:.2f} image copies, {per:.1f} KiB per transfer", mark(round(copies) == 1 and per <= 2)))
    lines = ["### The engine issue's targets\n", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {ok} |" for t, m, ok in rows]
    return "\n".join(lines) + "\n"


def main():
    global SERVER_JAR, LOADTEST_JAR, TFTPGEN
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small files and counts, one repetition")
    parser.add_argument("--reps", type=int, default=None, help="repetitions per scenario (default 3, 1 with --quick)")
    parser.add_argument("--servers", default="floorflash,floorflash-2loops,tftpd-hpa,dnsmasq,atftpd")
    parser.add_argument("--only", default="", help="comma-separated scenario keys to run ('memory' for the probe)")
    parser.add_argument("--generator", choices=("c", "java"), default="c",
                        help="bench/tftpgen.c (default) or the load-test jar's simulator")
    parser.add_argument("--before", default=None, help="a floorflash jar of an earlier engine: extra rows beside this one")
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
    # The run uses copies of the jars, so a build during the run cannot change what is measured.
    SERVER_JAR = Path(shutil.copy(SERVER_JAR, outdir / "floorflash.jar"))
    LOADTEST_JAR = Path(shutil.copy(LOADTEST_JAR, outdir / "floorflash-loadtest.jar"))
    before_jar = Path(shutil.copy(args.before, outdir / "floorflash-before.jar")) if args.before else None
    if args.generator == "c":
        TFTPGEN = outdir / "tftpgen"
        run(["cc", "-O2", "-o", str(TFTPGEN), str(TFTPGEN_SOURCE)])
    only = [k for k in args.only.split(",") if k]
    chosen = [s for s in scenarios(args.quick) if not only or s.key in only]
    running = servers(root, hpa, args.servers.split(","), outdir, before_jar)
    results = {}
    memory = None
    memory_text = ""
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
                if scenario.once and rep > 1:
                    continue
                order = running[rep - 1:] + running[:rep - 1]
                for server in order:
                    if not scenario.runs_on(server):
                        continue
                    if scenario.peers_once and rep > 1 and not server.name.startswith("floorflash"):
                        continue
                    server.restart_if_dead(f"before rep {rep} {scenario.key}")
                    r = load(server, scenario, root, outdir, rep)
                    results.setdefault((scenario.key, server.name), []).append(r)
                    print(f"[{time.time() - started:6.0f}s] rep {rep} {scenario.key:24} {server.name:10} "
                          f"{r['goodput_MBps']:8.1f} MB/s  p99 {r['completion_ms_p99'] / 1000:6.2f} s  "
                          f"failed {r['failed']}  drops {r['listener_drops']}  "
                          f"server CPU {r['server_cpu_s_per_GB']:.1f} s/GB  "
                          f"generator CPU {r['simulator_cpu_s_per_GB']:.1f} s/GB"
                          f"{'  ' + GENERATOR_BOUND.upper() if generator_bound(r['server_cpu_s_per_GB'], r['simulator_cpu_s_per_GB']) else ''}"
                          f"{'  EXITED' if r['server_exited'] else ''}",
                          flush=True)
        flash = next((s for s in running if s.name == "floorflash"), None)
        if flash and (not only or "memory" in only):
            flash.restart_if_dead("before the memory probe")
            memory_text, memory = memory_probe(flash, root, outdir, args.quick)
            print(memory_text, flush=True)
    finally:
        for server in running:
            server.stop()
    names = [s.name for s in running]
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], stdout=subprocess.PIPE,
                         text=True).stdout.strip()
    command = " ".join(["sudo python3 bench/bench.py", *(["--quick"] if args.quick else []),
                        *(["--generator", "java"] if args.generator == "java" else []),
                        *(["--before", "JAR"] if args.before else [])])
    generator = ("bench/tftpgen.c (one epoll loop, a socket per phone, every byte compared)" if args.generator == "c"
                 else "the load-test jar's simulator")
    body = [f"# floorflash vs peers — {stamp}\n",
            f"Command: `{command}`; {reps} repetition(s), medians; {os.cpu_count()} cores ({cpu}); loopback inside "
            f"one private network namespace per server; load from {generator} in the same namespace, so the "
            "generator shares the cores with the server: its own CPU per GB stands beside the server's, and a row "
            f"where the generator spent more is marked **{GENERATOR_BOUND}** (the generator, not the server, set its "
            "pace, so its goodput and ratios say little about the server). 'vs best peer' divides goodput by the best "
            "peer's in the same scenario. floorflash-2loops is the same jar with tftp.event-loop-threads = 2; "
            "floorflash-before, when present, the jar given with --before (the engine before this one), both in "
            "the same run. Windowed scenarios run only on servers that support windowsize (RFC 7440). Each server "
            "first serves one untimed warm-up run (50 phones), so no figure includes a JIT's warm-up. Every run is "
            "capped (120 s; 180 s for 1000 phones at 512; 300 s for 5000 and 20,000 phones): 'failed' counts "
            "transfers that ended in an error or were still running at the cap, and goodput counts verified bytes "
            "only. 'listener drops' is the kernel's drop counter of the server's port-69 socket over the run; "
            "'open files' the server's descriptors before the run and the most seen during it (read once a "
            "second). A server found dead before a run is noted and started again. The peers run the loss scenarios in "
            "the first repetition only: in every earlier run they finished none of them within the cap.\n"]
    n500, n1000, n20000 = (100, 200, 2000) if args.quick else (500, 1000, 20000)
    body.append(targets(results, chosen, names, memory, n1000, n500, n20000))
    for scenario in chosen:
        body.append(table(results, scenario, names))
    if memory_text:
        body.append(memory_text)
    text = "\n".join(body)
    results_dir = REPO / "bench/results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{stamp}{'-quick' if args.quick else ''}.md").write_text(text)
    if not args.quick and not only:
        (results_dir / "latest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
