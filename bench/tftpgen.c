/*
 * tftpgen: a small, cheap TFTP read generator for the benchmark, so the generator never sets the pace on the
 * 2 cores it shares with the server under test. One process, one epoll loop, one UDP socket per phone (its own
 * TID), RFC 1350 lock-step or RFC 7440 windows, every byte compared with a local copy of the file.
 *
 *   cc -O2 -o tftpgen bench/tftpgen.c
 *   tftpgen --port 69 --file small.bin --expect-file fw/small.bin --phones 1000 --blksize 1468 [--windowsize 8]
 *           [--profile plain|snom-bootloader] [--loss-rx 0.05 --loss-tx 0.05 --seed 1] [--timeout-ms 1000]
 *           [--retries 10] [--duration 120] [--host 127.0.0.1] [--json FILE]
 *
 * It takes the load-test jar's flags that the benchmark uses, so bench.py runs either with the same scenario.
 * Only loopback addresses are for it (the benchmark runs each server in a namespace of its own). Prints one JSON
 * object (and writes it to --json FILE) with the load-test jar's field names: transfers, ok, failed, bytes,
 * elapsed_s, goodput_MBps, first_data_ms_p50/p99, completion_ms_p50/p99, simulator_cpu_s, simulator_cpu_s_per_GB,
 * timeouts. Every loop is bounded: --duration ends the run, phones still running then count as failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum state { WAITING, RUNNING, DONE, FAILED };

struct phone {
    int fd;
    enum state state;
    uint16_t server_tid;   /* 0 until the first answer */
    uint64_t next_block;   /* absolute index of the next DATA expected (1-based) */
    uint64_t last_acked;   /* absolute index of the last block acknowledged */
    double started, first_answer, finished, last_heard;
    int retries;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double percentile(double *values, int n, double p) {
    if (n == 0) return -1;
    qsort(values, n, sizeof(double), cmp_double);
    int i = (int) (p * (n - 1) + 0.5);
    return values[i];
}

static const char *opt(int argc, char **argv, const char *name, const char *fallback) {
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) return argv[i + 1];
    }
    return fallback;
}

static struct sockaddr_in server;
static char request[600];
static int request_len;

static double loss_tx;

static void send_to(struct phone *p, const void *buf, size_t len, uint16_t port) {
    if (loss_tx > 0 && drand48() < loss_tx) return; /* simulated loss on the way out */
    struct sockaddr_in to = server;
    to.sin_port = port;
    /* A full socket buffer is like a lost packet: the phone's timer sends again. */
    (void) sendto(p->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *) &to, sizeof to);
}

static void send_ack(struct phone *p, uint64_t block) {
    unsigned char ack[4] = {0, 4, (unsigned char) ((block >> 8) & 0xFF), (unsigned char) (block & 0xFF)};
    send_to(p, ack, 4, p->server_tid);
}

int main(int argc, char **argv) {
    const char *host = opt(argc, argv, "--host", "127.0.0.1");
    int port = atoi(opt(argc, argv, "--port", "69"));
    const char *file = opt(argc, argv, "--file", NULL);
    const char *expect = opt(argc, argv, "--expect-file", NULL);
    const char *json = opt(argc, argv, "--json", NULL);
    const char *profile = opt(argc, argv, "--profile", "plain");
    double loss_rx = atof(opt(argc, argv, "--loss-rx", "0"));
    loss_tx = atof(opt(argc, argv, "--loss-tx", "0"));
    srand48(atol(opt(argc, argv, "--seed", "1")));
    int phones = atoi(opt(argc, argv, "--phones", "100"));
    int blksize = atoi(opt(argc, argv, "--blksize", "0"));
    int window = atoi(opt(argc, argv, "--windowsize", "1"));
    double timeout = atoi(opt(argc, argv, "--timeout-ms", "1000")) / 1000.0;
    int max_retries = atoi(opt(argc, argv, "--retries", "10"));
    double duration = atof(opt(argc, argv, "--duration", "120"));
    if (strcmp(profile, "snom-bootloader") == 0) {
        blksize = 0; /* RFC 1350 only: 512-byte blocks, no options */
        window = 1;
    } else if (strcmp(profile, "plain") != 0) {
        fprintf(stderr, "tftpgen: profile %s is the load-test jar's only (this one knows plain and snom-bootloader)\n", profile);
        return 2;
    }
    if (!file || !expect || phones < 1 || window < 1 || (blksize != 0 && (blksize < 8 || blksize > 65464))) {
        fprintf(stderr, "usage: tftpgen --file NAME --expect-file PATH [--phones N] [--blksize B] [--windowsize W] "
                        "[--port P] [--host IP] [--timeout-ms T] [--retries R] [--duration S] [--json FILE]\n");
        return 2;
    }
    if (strncmp(host, "127.", 4) != 0) {
        fprintf(stderr, "tftpgen: %s is not a loopback address; the benchmark runs inside its own namespace\n", host);
        return 2;
    }
    int efd = open(expect, O_RDONLY);
    struct stat st;
    if (efd < 0 || fstat(efd, &st) < 0) {
        perror(expect);
        return 2;
    }
    size_t size = (size_t) st.st_size;
    const unsigned char *content = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, efd, 0) : (const unsigned char *) "";
    int block = blksize ? blksize : 512;
    uint64_t last_block = size / block + 1; /* a multiple of the block size ends with an empty block */

    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    inet_pton(AF_INET, host, &server.sin_addr);
    request_len = 2 + snprintf(request + 2, sizeof request - 2, "%s", file) + 1;
    request[0] = 0;
    request[1] = 1;
    request_len += snprintf(request + request_len, sizeof request - request_len, "octet") + 1;
    if (blksize) {
        request_len += snprintf(request + request_len, sizeof request - request_len, "blksize") + 1;
        request_len += snprintf(request + request_len, sizeof request - request_len, "%d", blksize) + 1;
    }
    if (window > 1) {
        request_len += snprintf(request + request_len, sizeof request - request_len, "windowsize") + 1;
        request_len += snprintf(request + request_len, sizeof request - request_len, "%d", window) + 1;
    }
    int negotiates = blksize || window > 1;

    int ep = epoll_create1(0);
    struct phone *ph = calloc(phones, sizeof *ph);
    for (int i = 0; i < phones; i++) {
        ph[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (ph[i].fd < 0) {
            perror("socket (raise ulimit -n, or run several tftpgen processes)");
            return 2;
        }
        int rcv = 256 * 1024;
        setsockopt(ph[i].fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t) i};
        epoll_ctl(ep, EPOLL_CTL_ADD, ph[i].fd, &ev);
    }
    double cpu0 = cpu_seconds(), t0 = now();
    for (int i = 0; i < phones; i++) {
        ph[i].started = ph[i].last_heard = now();
        ph[i].next_block = 1;
        send_to(&ph[i], request, request_len, server.sin_port);
    }
    int running = phones, ok = 0, failed = 0;
    long timeouts = 0;
    uint64_t bytes = 0;
    double next_scan = t0 + 0.01;
    struct epoll_event events[1024];
    unsigned char buf[65536 + 4];
    while (running > 0) {
        double t = now();
        if (t - t0 > duration) break;
        int n = epoll_wait(ep, events, 1024, 10);
        for (int e = 0; e < n; e++) {
            struct phone *p = &ph[events[e].data.u32];
            for (;;) {
                struct sockaddr_in from;
                socklen_t fromlen = sizeof from;
                ssize_t len = recvfrom(p->fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &fromlen);
                if (len < 0) break;
                if (p->state >= DONE || len < 4) continue;
                if (loss_rx > 0 && drand48() < loss_rx) continue; /* simulated loss on the way in */
                if (p->server_tid == 0) {
                    p->server_tid = from.sin_port;
                    p->first_answer = now();
                    p->state = RUNNING;
                } else if (from.sin_port != p->server_tid) {
                    continue; /* another TID: not ours (RFC 1350 says ERROR 5; the benchmark never sees one) */
                }
                p->last_heard = now();
                p->retries = 0;
                int opcode = buf[1];
                if (opcode == 6) { /* OACK */
                    if (p->next_block == 1 && negotiates) send_ack(p, 0);
                    continue;
                }
                if (opcode == 5) {
                    p->state = FAILED;
                    failed++;
                    running--;
                    fprintf(stderr, "tftpgen: phone %d: ERROR %d %.*s\n", (int) (p - ph), buf[3], (int) len - 4, buf + 4);
                    break;
                }
                if (opcode != 3) continue;
                uint16_t wire = (uint16_t) ((buf[2] << 8) | buf[3]);
                if (wire != (uint16_t) (p->next_block & 0xFFFF)) {
                    /* A duplicate or a gap: acknowledge what arrived in order, so the server goes on from there. */
                    p->last_acked = p->next_block - 1;
                    send_ack(p, p->last_acked);
                    continue;
                }
                size_t offset = (p->next_block - 1) * (size_t) block;
                size_t expected = offset >= size ? 0 : (size - offset < (size_t) block ? size - offset : (size_t) block);
                if ((size_t) (len - 4) != expected || memcmp(buf + 4, content + offset, expected) != 0) {
                    p->state = FAILED;
                    failed++;
                    running--;
                    fprintf(stderr, "tftpgen: phone %d: block %llu differs\n", (int) (p - ph), (unsigned long long) p->next_block);
                    break;
                }
                bytes += expected;
                uint64_t got = p->next_block++;
                if (got == last_block) {
                    send_ack(p, got);
                    p->last_acked = got;
                    p->state = DONE;
                    p->finished = now();
                    ok++;
                    running--;
                    break;
                }
                if ((got - p->last_acked) >= (uint64_t) window) {
                    send_ack(p, got);
                    p->last_acked = got;
                }
            }
        }
        t = now();
        if (t >= next_scan) {
            next_scan = t + 0.01;
            for (int i = 0; i < phones; i++) {
                struct phone *p = &ph[i];
                if (p->state >= DONE || t - p->last_heard < timeout) continue;
                if (++p->retries > max_retries) {
                    p->state = FAILED;
                    failed++;
                    running--;
                    continue;
                }
                timeouts++;
                p->last_heard = t;
                if (p->server_tid == 0) {
                    send_to(p, request, request_len, server.sin_port);
                } else if (p->next_block == 1 && negotiates) {
                    send_ack(p, 0);
                } else {
                    send_ack(p, p->last_acked);
                }
            }
        }
    }
    double elapsed = now() - t0, cpu = cpu_seconds() - cpu0;
    failed += running;
    double *firsts = malloc(sizeof(double) * phones), *dones = malloc(sizeof(double) * phones);
    int nf = 0, nd = 0;
    for (int i = 0; i < phones; i++) {
        if (ph[i].first_answer > 0) firsts[nf++] = ph[i].first_answer - ph[i].started;
        if (ph[i].state == DONE) dones[nd++] = ph[i].finished - ph[i].started;
    }
    double gb = bytes / 1e9;
    char report[1024];
    snprintf(report, sizeof report,
             "{\"generator\": \"tftpgen\", \"transfers\": %d, \"ok\": %d, \"failed\": %d, \"bytes\": %llu, "
             "\"elapsed_s\": %.3f, \"goodput_MBps\": %.1f, \"first_data_ms_p50\": %.1f, \"first_data_ms_p99\": %.1f, "
             "\"completion_ms_p50\": %.1f, \"completion_ms_p99\": %.1f, \"simulator_cpu_s\": %.3f, "
             "\"simulator_cpu_s_per_GB\": %.2f, \"timeouts\": %ld}\n",
             phones, ok, failed, (unsigned long long) bytes, elapsed, bytes / 1e6 / elapsed,
             1000 * percentile(firsts, nf, 0.5), 1000 * percentile(firsts, nf, 0.99), 1000 * percentile(dones, nd, 0.5),
             1000 * percentile(dones, nd, 0.99), cpu, gb > 0 ? cpu / gb : 0.0, timeouts);
    fputs(report, stdout);
    if (json) {
        FILE *out = fopen(json, "w");
        if (!out || fputs(report, out) < 0 || fclose(out) != 0) {
            perror(json);
            return 2;
        }
    }
    return failed ? 1 : 0;
}
