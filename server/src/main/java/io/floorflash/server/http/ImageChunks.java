package io.floorflash.server.http;

import io.floorflash.server.firmware.FirmwareImage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A range of a firmware image as a {@link ChunkedInput} for {@link io.netty.handler.stream.ChunkedWriteHandler}, in
 * pieces of at most {@code chunkSize} bytes, so a slow phone holds back only what fits its connection's write buffer.
 * Each piece is a view of the image's shared memory ({@link FirmwareImage#block}): nothing is copied, and releasing
 * a piece frees nothing. {@link #close} runs once however the response ends (sent, or the client went away).
 */
final class ImageChunks implements ChunkedInput<ByteBuf> {
    /** Told of the bytes handed on and of the end. */
    interface Progress {
        void sent(int bytes);

        void closed(ImageChunks chunks);
    }

    private final FirmwareImage image;
    private final long end;
    private final int chunkSize;
    private final Progress progress;
    private final long start;
    private long offset;
    private boolean closed;

    /** Bytes {@code first} to {@code first + length - 1} of {@code image}. */
    ImageChunks(FirmwareImage image, long first, long length, int chunkSize, Progress progress) {
        this.image = image;
        this.start = first;
        this.offset = first;
        this.end = first + length;
        this.chunkSize = chunkSize;
        this.progress = progress;
    }

    @Override
    public boolean isEndOfInput() {
        return offset >= end;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            progress.closed(this);
        }
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) {
        if (isEndOfInput()) {
            return null;
        }
        int n = (int) Math.min(chunkSize, end - offset);
        ByteBuf chunk = image.block(offset, n);
        offset += n;
        progress.sent(n);
        return chunk;
    }

    @Override
    public long length() {
        return end - start;
    }

    @Override
    public long progress() {
        return offset - start;
    }

    /** Bytes handed on so far. */
    long sent() {
        return offset - start;
    }
}
