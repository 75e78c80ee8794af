package io.floorflash.loadtest.jmh;

import io.floorflash.protocol.Data;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.protocol.codec.TftpPacketEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What building one DATA datagram costs in user space, per strategy, beside decoding the ACK that asks for it: the
 * encoder's contiguous copy (header and payload in one pooled direct buffer), the composite it replaced (a pooled
 * header and a slice of the image, gathered by the kernel), and one buffer holding a window of eight (a UDP GSO
 * send). The send itself is not measured: a composite also costs a second iovec in {@code sendmsg}. Run from the
 * repository root after {@code mvn -q -DskipTests package}:
 *
 * <pre>java -cp loadtest/target/floorflash-loadtest.jar org.openjdk.jmh.Main DataPacketBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DataPacketBenchmark {
    private static final int IMAGE_BYTES = 2 * 1024 * 1024;
    private static final int WINDOW = 8;

    @Param({"512", "1468"})
    int blockSize;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private ByteBuf image;
    private ByteBuf ack;
    private int blocks;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[IMAGE_BYTES];
        ThreadLocalRandom.current().nextBytes(bytes);
        image = Unpooled.unreleasableBuffer(Unpooled.directBuffer(IMAGE_BYTES).writeBytes(bytes).asReadOnly());
        blocks = IMAGE_BYTES / blockSize;
        ack = Unpooled.directBuffer(4).writeShort(4).writeShort(1234);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ack.release();
    }

    private int nextBlock() {
        next = next + 1 == blocks ? 0 : next + 1;
        return next;
    }

    /** The encoder now: one pooled direct buffer, header and a copy of the block. */
    @Benchmark
    public void contiguousCopy(Blackhole hole) {
        int block = nextBlock();
        ByteBuf datagram = TftpPacketEncoder.toBuffer(alloc,
                new Data(block + 1 & 0xFFFF, image.slice(block * blockSize, blockSize)));
        hole.consume(datagram.nioBufferCount());
        datagram.release();
    }

    /** The encoder before: a pooled header composed with a retained slice of the image. */
    @Benchmark
    public void compositeHeaderAndSlice(Blackhole hole) {
        int block = nextBlock();
        ByteBuf header = alloc.directBuffer(4, 4);
        TftpPacketCodec.encodeDataHeader(block + 1 & 0xFFFF, header);
        CompositeByteBuf datagram = alloc.compositeDirectBuffer(2);
        datagram.addComponent(true, header);
        datagram.addComponent(true, image.retainedSlice(block * blockSize, blockSize));
        hole.consume(datagram.nioBuffers());
        datagram.release();
    }

    /** A window of eight DATA datagrams in one buffer, as one UDP GSO send carries it; per window, not per block. */
    @Benchmark
    public void windowOfEightForOneSegmentedSend(Blackhole hole) {
        int first = nextBlock() / WINDOW * WINDOW;
        int bytes = WINDOW * (TftpPacketCodec.HEADER_LENGTH + blockSize);
        ByteBuf datagrams = alloc.directBuffer(bytes, bytes);
        for (int block = first; block < first + WINDOW && block < blocks; block++) {
            TftpPacketCodec.encodeData(block + 1 & 0xFFFF, image.slice(block * blockSize, blockSize), datagrams);
        }
        hole.consume(datagrams.nioBufferCount());
        datagrams.release();
    }

    /** An ACK through the codec, as every transfer channel reads one. */
    @Benchmark
    public Object decodeAck() {
        return TftpPacketCodec.decode(ack);
    }
}
