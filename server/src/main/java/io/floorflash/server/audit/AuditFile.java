package io.floorflash.server.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;

/**
 * The audit file as {@link AuditFileAppender} writes it: each {@link #write(byte[], int, int)} is one line (the encoder
 * hands every event over as one array), and it reaches the file whole or not at all. A write the file system refuses
 * (a full disk, an I/O error) is reported to {@link Lines#lost}, the part of the line that did reach the file is cut
 * off again, and the next line is tried afresh: once the disk has room, lines are written again without a restart,
 * and the file never holds half a line followed by the next one.
 *
 * <p>Why not Logback's own stream (a {@code ResilientFileOutputStream}): after a failed write it drops every line
 * until a retry, seconds to minutes later, reopens the file, reports at most a few status messages nobody sees, and
 * counts nothing; its buffer can leave half a line in the file. Why a {@link RandomAccessFile} and not a
 * {@code FileChannel}: a channel closes itself for good when the writing thread is interrupted, which Logback's
 * {@code AsyncAppender.stop()} does to its worker while the worker writes out the queue.
 *
 * <p>One writer: lines are appended at the end the file had when it was opened plus what was written since (the
 * appender's lock keeps writes in order). Not thread-safe on its own.
 */
final class AuditFile extends OutputStream {
    /** Told of each line, on the writing thread. */
    interface Lines {
        void written();

        void lost(IOException cause);
    }

    private final RandomAccessFile file;
    private final Lines lines;
    /** Where the last whole line ends. */
    private long end;

    /** Takes ownership of {@code file}, an open file to append lines to. */
    AuditFile(RandomAccessFile file, Lines lines) throws IOException {
        this.file = file;
        this.lines = lines;
        this.end = file.length();
        file.seek(end);
    }

    @Override
    public void write(byte[] line, int offset, int length) {
        try {
            file.write(line, offset, length);
            end += length;
        } catch (IOException e) {
            cutBack();
            lines.lost(e);
            return;
        }
        lines.written();
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** Takes what reached the file of a failed line out again. */
    private void cutBack() {
        try {
            file.setLength(end);
        } catch (IOException e) {
            // Not a file that can be shortened (a device): the next line is written over what is left instead.
        }
        try {
            file.seek(end);
        } catch (IOException e) {
            // The file is unusable; every later write fails and is counted as lost.
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
