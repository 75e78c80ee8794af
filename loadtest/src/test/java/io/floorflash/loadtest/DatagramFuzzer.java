package io.floorflash.loadtest;

import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.TftpDecodeException;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends a bounded number of random datagrams to a TFTP server from a few loopback sockets of its own, at a set rate
 * and for at most a set time, and reads every answer: each must be a well-formed TFTP packet. The datagrams are of
 * every length from 0 to 1500: random bytes, the six opcodes with garbage, RRQs for missing files with garbage
 * options, now and then an RRQ for a file that exists (a transfer to a client that never acknowledges), WRQs, ACKs of
 * random blocks, ERRORs, DATA, OACKs, and any of those cut short. Half go to the listener, half to the transfer ports.
 */
final class DatagramFuzzer implements AutoCloseable {
    /** One RRQ in this many names the real file: each holds a slot until it times out. */
    private static final int REAL_REQUEST_ONE_IN = 4000;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final List<String> OPTION_NAMES = List.of("blksize", "tsize", "timeout", "windowsize", "BLKSIZE",
            "rollover", "multicast");

    private final InetSocketAddress listener;
    private final List<InetSocketAddress> transferPorts;
    private final String realFile;
    private final List<DatagramChannel> sockets = new ArrayList<>();
    private final SplittableRandom random;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fuzz-sender");
        thread.setDaemon(true);
        return thread;
    });
    private final Thread receiver;
    private final AtomicLong sent = new AtomicLong();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder answers = new LongAdder();
    private final Map<String, LongAdder> answersByKind = new ConcurrentHashMap<>();
    private final List<String> malformedAnswers = new ArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean receiving = true;
    private long startedAt;
    private long finishedAt;

    /**
     * @param sources loopback addresses to send from, one socket each
     */
    DatagramFuzzer(InetSocketAddress listener, List<InetSocketAddress> transferPorts, String realFile,
                   List<InetAddress> sources, long seed) {
        this.listener = listener;
        this.transferPorts = List.copyOf(transferPorts);
        this.realFile = realFile;
        this.random = new SplittableRandom(seed);
        try {
            Selector selector = Selector.open();
            for (InetAddress source : sources) {
                if (!source.isLoopbackAddress()) {
                    throw new IllegalArgumentException(source + " (expected: a loopback address)");
                }
                DatagramChannel socket = DatagramChannel.open();
                socket.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                socket.bind(new InetSocketAddress(source, 0));
                socket.configureBlocking(false);
                socket.register(selector, SelectionKey.OP_READ);
                sockets.add(socket);
            }
            receiver = new Thread(() -> receive(selector), "fuzz-receiver");
            receiver.setDaemon(true);
            receiver.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts sending {@code count} datagrams at {@code perSecond}; stops at the count or after {@code maxNanos},
     * whichever comes first.
     */
    void start(long count, int perSecond, long maxNanos) {
        startedAt = System.nanoTime();
        long perTick = Math.max(1, perSecond * TICK_NANOS / TimeUnit.SECONDS.toNanos(1));
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = clock.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            // Catches up after a late tick, up to the count: the rate holds on average.
            long due = Math.min(count, (now - startedAt) * perSecond / TimeUnit.SECONDS.toNanos(1) + perTick);
            long batch = Math.min(due - sent.get(), 4 * perTick);
            for (long i = 0; i < batch; i++) {
                sendOne();
            }
            if (sent.get() >= count || now - startedAt >= maxNanos) {
                finishedAt = System.nanoTime();
                done.countDown();
                task[0].cancel(false);
            }
        }, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
    }

    /** Waits until sending ended (count or time reached), at most {@code nanos}. */
    boolean awaitSent(long nanos) throws InterruptedException {
        return done.await(nanos, TimeUnit.NANOSECONDS);
    }

    long sent() {
        return sent.get();
    }

    double seconds() {
        return (finishedAt - startedAt) / 1e9;
    }

    long sendFailures() {
        return sendFailures.sum();
    }

    long answers() {
        return answers.sum();
    }

    Map<String, Long> answersByKind() {
        Map<String, Long> copy = new TreeMap<>();
        answersByKind.forEach((kind, n) -> copy.put(kind, n.sum()));
        return copy;
    }

    List<String> malformedAnswers() {
        synchronized (malformedAnswers) {
            return List.copyOf(malformedAnswers);
        }
    }

    private void sendOne() {
        DatagramChannel socket = sockets.get(random.nextInt(sockets.size()));
        InetSocketAddress target = transferPorts.isEmpty() || random.nextBoolean()
                ? listener : transferPorts.get(random.nextInt(transferPorts.size()));
        try {
            socket.send(ByteBuffer.wrap(nextDatagram()), target);
        } catch (IOException e) {
            sendFailures.increment(); // a full send buffer, say: like a lost datagram
        }
        sent.incrementAndGet();
    }

    /** One datagram of the mix in the class comment. */
    byte[] nextDatagram() {
        int kind = random.nextInt(100);
        byte[] bytes;
        if (kind < 20) {
            bytes = randomBytes(random.nextInt(1501));
        } else if (kind < 45) {
            boolean real = random.nextInt(REAL_REQUEST_ONE_IN) == 0;
            bytes = request(1, real ? realFile : "missing-" + random.nextInt(1000) + ".bin");
        } else if (kind < 50) {
            bytes = request(2, "upload-" + random.nextInt(100) + ".cfg");
        } else if (kind < 65) {
            bytes = header(4, random.nextInt(0x10000), random.nextInt(8) == 0 ? random.nextInt(1, 8) : 0);
        } else if (kind < 75) {
            bytes = concat(header(5, random.nextInt(10), 0), ascii("fuzz " + random.nextInt()), new byte[] {0});
        } else if (kind < 85) {
            bytes = concat(header(3, random.nextInt(0x10000), 0), randomBytes(random.nextInt(601)));
        } else if (kind < 88) {
            bytes = concat(new byte[] {0, 6}, options());
        } else {
            bytes = concat(header(random.nextInt(8), random.nextInt(0x10000), 0), randomBytes(random.nextInt(200)));
        }
        if (random.nextInt(10) == 0) {
            bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // cut short
        }
        return bytes;
    }

    private byte[] request(int opcode, String file) {
        String mode = random.nextInt(10) == 0 ? List.of("netascii", "OCTET", "mail", "", "octet\u00ff").get(random.nextInt(5)) : "octet";
        return concat(new byte[] {0, (byte) opcode}, ascii(file), new byte[] {0}, mode.getBytes(StandardCharsets.UTF_8),
                new byte[] {0}, options());
    }

    /** Zero to five options, known names with values in and out of range, and garbage. */
    private byte[] options() {
        List<byte[]> parts = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            String name = random.nextInt(8) == 0 ? "x" + random.nextInt(100) : OPTION_NAMES.get(random.nextInt(OPTION_NAMES.size()));
            String value;
            switch (random.nextInt(4)) {
                case 0:
                    value = Long.toString(random.nextLong(-100, 100_000_000_000L));
                    break;
                case 1:
                    value = Integer.toString(random.nextInt(0, 70_000));
                    break;
                case 2:
                    value = "";
                    break;
                default:
                    value = new String(randomBytes(random.nextInt(12)), StandardCharsets.ISO_8859_1).replace('\0', '0');
                    break;
            }
            parts.add(ascii(name));
            parts.add(new byte[] {0});
            parts.add(value.getBytes(StandardCharsets.ISO_8859_1));
            parts.add(new byte[] {0});
        }
        return concat(parts.toArray(new byte[0][]));
    }

    private static byte[] header(int opcode, int block, int padding) {
        byte[] bytes = new byte[4 + padding];
        bytes[1] = (byte) opcode;
        bytes[2] = (byte) (block >>> 8);
        bytes[3] = (byte) block;
        return bytes;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Reads every answer until closed; each must decode. Bounded by {@link #close}. */
    private void receive(Selector selector) {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        try (selector) {
            while (receiving) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel socket = (DatagramChannel) key.channel();
                    // At most a batch per wake-up per socket: the loop goes back to check it should still run.
                    for (int i = 0; i < 256; i++) {
                        buffer.clear();
                        if (socket.receive(buffer) == null) {
                            break;
                        }
                        buffer.flip();
                        check(buffer);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (receiving) {
                synchronized (malformedAnswers) {
                    malformedAnswers.add("receiver failed: " + e);
                }
            }
        }
    }

    private void check(ByteBuffer answer) {
        answers.increment();
        TftpPacket packet = null;
        try {
            packet = TftpPacketCodec.decode(Unpooled.wrappedBuffer(answer));
            String kind = packet.opcode().toString();
            if (packet instanceof ErrorPacket error) {
                kind += " " + error.code();
            }
            answersByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
            if (packet.opcode() == Opcode.RRQ || packet.opcode() == Opcode.WRQ) {
                synchronized (malformedAnswers) {
                    malformedAnswers.add("a server sent a request: " + packet);
                }
            }
        } catch (TftpDecodeException e) {
            synchronized (malformedAnswers) {
                malformedAnswers.add(e.getMessage());
            }
        } finally {
            ReferenceCountUtil.release(packet);
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
        receiving = false;
        try {
            receiver.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a datagram socket does not fail in a way that matters to the test
            }
        }
    }
}
