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
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A hand-rolled TFTP peer on a plain {@link DatagramSocket} bound to 127.0.0.1: it writes the bytes itself
 * (independent of the server's codec), so it can send what no polite client would and see every reply's source port.
 */
final class RawPeer implements AutoCloseable {
    static final int RRQ = 1;
    static final int WRQ = 2;
    static final int DATA = 3;
    static final int ACK = 4;
    static final int ERROR = 5;
    static final int OACK = 6;

    private final DatagramSocket socket;

    RawPeer() {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setReceiveBufferSize(1 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This peer's own port: the client TID the server sees. */
    int port() {
        return socket.getLocalPort();
    }

    void send(int port, byte[] datagram) {
        send(InetAddress.getLoopbackAddress(), port, datagram);
    }

    /** To {@code address}: another of this machine's loopback addresses stands for a server's second address. */
    void send(InetAddress address, int port, byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, address, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram to arrive within {@code timeout}, or empty. */
    Optional<Reply> receive(Duration timeout) {
        byte[] buffer = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(Reply.parse(packet.getAddress(), packet.getPort(), Arrays.copyOf(buffer, packet.getLength())));
    }

    /** The next datagram within {@code timeout}; fails when none arrives. */
    Reply expectReply(Duration timeout) {
        return receive(timeout).orElseThrow(() -> new AssertionError("no reply within " + timeout.toMillis() + " ms"));
    }

    /** An RRQ or WRQ: {@code opcode filename NUL mode NUL (name NUL value NUL)*}, options given as name, value pairs. */
    static byte[] request(int opcode, String filename, String mode, String... options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(opcode);
        string(out, filename);
        string(out, mode);
        for (String option : options) {
            string(out, option);
        }
        return out.toByteArray();
    }

    static byte[] ack(int block) {
        return ByteBuffer.allocate(4).putShort((short) ACK).putShort((short) block).array();
    }

    static byte[] error(int code, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ERROR);
        out.write(code >> 8);
        out.write(code);
        string(out, message);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String value) {
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    @Override
    public void close() {
        socket.close();
    }

    /**
     * One datagram received.
     *
     * @param sourcePort    the sender's port: the listener's, or a transfer's TID
     * @param number        the block number of DATA and ACK, the code of ERROR, else -1
     * @param sourceAddress the address it came from
     */
    record Reply(int sourcePort, int opcode, int number, byte[] bytes, InetAddress sourceAddress) {
        static Reply parse(InetAddress sourceAddress, int sourcePort, byte[] bytes) {
            int opcode = bytes.length >= 2 ? ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF) : -1;
            boolean numbered = bytes.length >= 4 && (opcode == DATA || opcode == ACK || opcode == ERROR);
            int number = numbered ? ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF) : -1;
            return new Reply(sourcePort, opcode, number, bytes, sourceAddress);
        }

        /** An ERROR's message. */
        String message() {
            int end = 4;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, 4, end - 4, StandardCharsets.UTF_8);
        }

        /** An OACK's options, in order. */
        Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            String[] strings = new String(bytes, 2, bytes.length - 2, StandardCharsets.US_ASCII).split("\0");
            for (int i = 0; i + 1 < strings.length; i += 2) {
                options.put(strings[i], strings[i + 1]);
            }
            return options;
        }

        /** A DATA block's payload length. */
        int payloadLength() {
            return bytes.length - 4;
        }

        @Override
        public String toString() {
            return "opcode " + opcode + " number " + number + " from " + sourceAddress.getHostAddress() + ":" + sourcePort
                    + (opcode == ERROR ? " \"" + message() + "\"" : "");
        }
    }
}
