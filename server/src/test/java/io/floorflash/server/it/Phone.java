package io.floorflash.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.IntConsumer;

/**
 * A phone's TFTP download, written here from the RFCs (independent of the server's codec): from its own loopback
 * source address, an RRQ with {@code blksize 1468} repeated every second until the server answers (as phones do while
 * a server is slow to start), then lock-step ACKs. Bounded by a deadline.
 */
final class Phone {
    static final int BLOCK_SIZE = 1468;

    /** What the download ended with: the bytes, or the server's ERROR text. */
    record Result(byte[] bytes, int errorCode, String error, int rrqsSent) {
        boolean ok() {
            return error == null;
        }

        String sha256() {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Phone() {
    }

    static Result fetch(InetAddress source, int serverPort, String name, Duration deadline) {
        return fetch(source, serverPort, name, deadline, block -> { });
    }

    /** @param afterBlock called with each new block number once it is stored, before it is acknowledged */
    static Result fetch(InetAddress source, int serverPort, String name, Duration deadline, IntConsumer afterBlock) {
        return fetch(source, new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), name, deadline,
                afterBlock);
    }

    /** From {@code source} to a server at {@code server} (another namespace's address). */
    static Result fetch(InetAddress source, InetSocketAddress server, String name, Duration deadline,
                        IntConsumer afterBlock) {
        long end = System.nanoTime() + deadline.toNanos();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
            socket.setSoTimeout(1000);
            byte[] rrq = rrq(name);
            socket.send(new DatagramPacket(rrq, rrq.length, server));
            int rrqs = 1;
            InetSocketAddress tid = null;
            byte[] lastAck = null;
            int expected = 1;
            int blockSize = 512;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[65536];
            while (System.nanoTime() - end < 0) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    if (tid == null) {
                        socket.send(new DatagramPacket(rrq, rrq.length, server));
                        rrqs++;
                    } else if (lastAck != null) {
                        socket.send(new DatagramPacket(lastAck, lastAck.length, tid));
                    }
                    continue;
                }
                InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
                if (tid != null && !tid.equals(from)) {
                    continue;
                }
                ByteBuffer in = ByteBuffer.wrap(buffer, 0, packet.getLength());
                int opcode = in.getShort() & 0xFFFF;
                if (opcode == 5) {
                    int code = in.getShort() & 0xFFFF;
                    String text = new String(buffer, 4, Math.max(0, packet.getLength() - 5), StandardCharsets.US_ASCII);
                    return new Result(bytes.toByteArray(), code, text, rrqs);
                }
                tid = from;
                if (opcode == 6) {
                    String options = new String(buffer, 2, packet.getLength() - 2, StandardCharsets.US_ASCII);
                    String[] parts = options.split("\0");
                    for (int i = 0; i + 1 < parts.length; i += 2) {
                        if (parts[i].equalsIgnoreCase("blksize")) {
                            blockSize = Integer.parseInt(parts[i + 1]);
                        }
                    }
                    lastAck = ack(0);
                    socket.send(new DatagramPacket(lastAck, lastAck.length, tid));
                    continue;
                }
                if (opcode != 3) {
                    continue;
                }
                int block = in.getShort() & 0xFFFF;
                int length = packet.getLength() - 4;
                if (block == (expected & 0xFFFF)) {
                    bytes.write(buffer, 4, length);
                    afterBlock.accept(expected);
                    lastAck = ack(block);
                    socket.send(new DatagramPacket(lastAck, lastAck.length, tid));
                    expected++;
                    if (length < blockSize) {
                        return new Result(bytes.toByteArray(), 0, null, rrqs);
                    }
                } else if (lastAck != null) {
                    socket.send(new DatagramPacket(lastAck, lastAck.length, tid));
                }
            }
            return new Result(bytes.toByteArray(), -1, "no end within " + deadline.toSeconds() + " s", rrqs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] rrq(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(1);
        for (String part : new String[] {name, "octet", "blksize", Integer.toString(BLOCK_SIZE)}) {
            out.writeBytes(part.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] ack(int block) {
        return new byte[] {0, 4, (byte) (block >> 8), (byte) block};
    }
}
