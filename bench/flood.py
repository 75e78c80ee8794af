#!/usr/bin/env python3
"""A flood of refusable requests beside a real download: how much does it slow the download?

floorflash runs on a loopback port of its choosing with a 64 MiB image. curl (tftp://, blksize 1468, lock-step)
downloads it alone, then while flood processes send requests that can only be refused, as fast as they can, from
other loopback addresses (127.0.0.2, 127.0.0.3, ...): RRQs for missing files, write requests, names outside the
root, and garbage. Each figure is the median of --reps downloads. The table gives the download's time and rate,
the slowdown (flooded / alone), the flood's rate, and the server's CPU beside the flood generator's (flagged when
the generator spent more: then the generator, not the server, set the pace). The refusals /metrics counted are
compared with the requests sent that must be refused.

Run from the repository root after `mvn -B package -DskipTests`:  python3 bench/flood.py [--reps 3] [--flooders 1]
Loopback only; every loop is bounded in count and time; it stops only the processes it started. Not a test: it never
runs in `mvn verify`. Results: bench/results/flood-<date>.md.
"""
import argparse
import datetime
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVER_JAR = REPO / "server/target/floorflash.jar"
IMAGE = "big.bin"
SIZE = 64 * 1024 * 1024
MAX_FLOOD_SECONDS = 120
MAX_FLOOD_PACKETS = 50_000_000


def requests_to_refuse(flooder):
    """Datagrams that must each be refused (and counted) or dropped as garbage."""
    out = []
    for i in range(512):
        out.append(b"\x00\x01" + f"missing-{flooder}-{i}.bin".encode() + b"\x00octet\x00")
        out.append(b"\x00\x02" + f"upload-{i}.cfg".encode() + b"\x00octet\x00")
        out.append(b"\x00\x01../../etc/passwd\x00octet\x00blksize\x001468\x00")
    garbage = [b"\x00\x09garbage", b"\x00", b"\x00\x01no-terminator"]
    return out, garbage


def flood(flooder, port, seconds, counts, cpu):
    """One flood process: sends from 127.0.0.(2 + flooder), bounded by seconds and MAX_FLOOD_PACKETS."""
    refusable, garbage = requests_to_refuse(flooder)
    socks = []
    for _ in range(8):  # a few source ports, so the per-port "repeated request" rule does not hide the flood
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((f"127.0.0.{2 + flooder}", 0))
        s.setblocking(False)
        socks.append(s)
    target = ("127.0.0.1", port)
    sent = dropped = refusals = 0
    garbage_set = set(garbage)
    deadline = time.monotonic() + min(seconds, MAX_FLOOD_SECONDS)
    i = 0
    while sent < MAX_FLOOD_PACKETS and (i & 1023 or time.monotonic() < deadline):
        packet = refusable[i % len(refusable)] if i % 16 else garbage[i % len(garbage)]
        try:
            socks[i & 7].sendto(packet, target)
            sent += 1
            refusals += packet not in garbage_set
        except BlockingIOError:
            dropped += 1
        i += 1
    t = os.times()
    counts.put((sent, refusals, dropped))
    cpu.put(t.user + t.system)


def refusals_counted(metrics_url):
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    return sum(float(m.group(1)) for m in re.finditer(r'^floorflash_requests_refused_total\{[^}]*\} (\S+)$', text, re.M))


def process_cpu(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def download(port, out):
    started = time.monotonic()
    subprocess.run(["curl", "-sS", "--max-time", "120", "--tftp-blksize", "1468", "-o", str(out),
                    f"tftp://127.0.0.1:{port}/{IMAGE}"], check=True)
    elapsed = time.monotonic() - started
    if out.stat().st_size != SIZE:
        raise SystemExit(f"download incomplete: {out.stat().st_size} of {SIZE} bytes")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--flooders", type=int, default=1, help="flood processes (each from its own address)")
    parser.add_argument("--jar", type=Path, default=SERVER_JAR, help="the server jar (another build, to compare)")
    parser.add_argument("--max-requests", type=int, help="floorflash.tftp.max-requests-per-second (default: the jar's)")
    args = parser.parse_args()
    for tool in ("java", "curl"):
        if not shutil.which(tool):
            raise SystemExit(f"missing: {tool}")
    if not args.jar.exists():
        raise SystemExit(f"build first: {args.jar} is missing (mvn -B package -DskipTests)")

    work = Path(tempfile.mkdtemp(prefix="floorflash-flood-"))
    root = work / "firmware"
    root.mkdir()
    with open(root / IMAGE, "wb") as f:
        f.write(os.urandom(SIZE))
    log = open(work / "server.log", "w+")
    config = []
    if args.max_requests is not None:
        (work / "flood.conf").write_text(f"floorflash.tftp.max-requests-per-second = {args.max_requests}\n")
        config = ["--config", str(work / "flood.conf")]
    server = subprocess.Popen(["java", "-jar", str(args.jar), *config, "--address", "127.0.0.1", "--port", "0",
                               "--http-port", "0", "--root", str(root)], stdout=log, stderr=subprocess.STDOUT)
    try:
        port = metrics = None
        for _ in range(600):
            text = (work / "server.log").read_text()
            found = re.search(r"listening on udp 127\.0\.0\.1:(\d+)", text)
            page = re.search(r"floor page at (http://127\.0\.0\.1:\d+/)", text)
            if found and page:
                port, metrics = int(found.group(1)), page.group(1) + "metrics"
                break
            if server.poll() is not None:
                raise SystemExit("server exited:\n" + text)
            time.sleep(0.1)
        if port is None:
            raise SystemExit("server did not start in 60 s")
        out = work / "out.bin"
        download(port, out)  # warm-up: loads the image and warms the JIT

        alone, flooded, server_cpu, flood_cpu, rates = [], [], [], [], []
        sent_refusable = 0
        counted_before = refusals_counted(metrics)
        for _ in range(args.reps):
            alone.append(download(port, out))
            # The flood outlasts the download: it starts first and runs a fixed time, twice the download alone.
            seconds = min(MAX_FLOOD_SECONDS, 1 + 2 * alone[-1] * 3)
            counts, cpu = multiprocessing.Queue(), multiprocessing.Queue()
            flooders = [multiprocessing.Process(target=flood, args=(i, port, seconds, counts, cpu))
                        for i in range(args.flooders)]
            flood_started = time.monotonic()
            for p in flooders:
                p.start()
            time.sleep(0.3)
            cpu_before, started = process_cpu(server.pid), time.monotonic()
            flooded.append(download(port, out))
            server_cpu.append((process_cpu(server.pid) - cpu_before) / (time.monotonic() - started))
            results = [counts.get(timeout=MAX_FLOOD_SECONDS + 30) for _ in flooders]
            cpus = [cpu.get(timeout=30) for _ in flooders]
            for p in flooders:
                p.join(30)
            flood_seconds = time.monotonic() - flood_started
            rates.append(sum(r[0] for r in results) / flood_seconds)
            flood_cpu.append(sum(cpus) / flood_seconds)
            sent_refusable += sum(r[1] for r in results)
        # Refusals still on their way to being counted (the store looks each name up on a load thread).
        counted = 0
        for _ in range(100):
            counted = refusals_counted(metrics) - counted_before
            if counted >= sent_refusable:
                break
            time.sleep(0.1)
        server_log = (work / "server.log").read_text()
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    report(args, alone, flooded, server_cpu, flood_cpu, rates, sent_refusable, counted, server_log)


def report(args, alone, flooded, server_cpu, flood_cpu, rates, sent_refusable, counted, server_log):
    a, f = statistics.median(alone), statistics.median(flooded)
    mb = SIZE / 1e6
    srv, gen = statistics.median(server_cpu), statistics.median(flood_cpu)
    refusal_lines = len(re.findall(r" (?:INFO|WARN) +RefusalLog - ", server_log))
    when = datetime.datetime.now(datetime.timezone.utc)
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], stdout=subprocess.PIPE,
                         text=True).stdout.strip()
    lines = [
        f"# Refusal flood beside a download, {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"`python3 bench/flood.py --reps {args.reps} --flooders {args.flooders}`"
        f"{'' if args.jar == SERVER_JAR else ' --jar ' + str(args.jar)}"
        f"{'' if args.max_requests is None else ' --max-requests ' + str(args.max_requests)} at "
        f"{subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO, stdout=subprocess.PIPE, text=True).stdout.strip()}"
        f", {os.cpu_count()} cores ({cpu}). curl fetches a {SIZE // (1024 * 1024)} MiB image (blksize 1468, lock-step)"
        f" from floorflash on loopback, alone and while {args.flooders} flood process(es) send requests that can only"
        " be refused (missing files, uploads, names outside the root; 1 in 16 garbage) from 127.0.0.2 and up."
        f" Medians of {args.reps}.",
        "",
        "| | download | rate | server CPU (cores) | flood generator CPU (cores) | flood rate |",
        "|---|---|---|---|---|---|",
        f"| alone | {a:.2f} s | {mb / a:.1f} MB/s | | | |",
        f"| flooded | {f:.2f} s | {mb / f:.1f} MB/s | {srv:.2f} | {gen:.2f}{' (more than the server)' if gen > srv else ''}"
        f" | {statistics.median(rates):,.0f} datagrams/s |",
        "",
        f"Slowdown (flooded / alone): **{f / a:.2f}×** (the issue's bound: 3×).",
        "",
        f"Requests sent that must be refused: {sent_refusable:,}; refusals counted in /metrics: {counted:,.0f}"
        f" ({'every one' if counted >= sent_refusable else 'some still missing: the kernel dropped them on a full receive buffer'})."
        f" Log lines the refusals cost (RefusalLog): {refusal_lines}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = REPO / "bench/results" / f"flood-{when:%Y-%m-%d-%H%M}.md"
    out.write_text(text)
    print(f"written: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
