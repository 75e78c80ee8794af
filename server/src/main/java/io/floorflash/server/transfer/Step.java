package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;

/**
 * What {@link ReadTransfer} and {@link WriteTransfer} decide; {@link Transfer} and {@link Upload} carry it out. A read
 * sees {@link SendBlocks}, never {@link SendAck} or {@link Store}; an upload the other way round.
 */
public sealed interface Step permits Step.SendOptionAck, Step.SendBlocks, Step.SendAck, Step.Store, Step.Finish,
        Step.Abort, Step.Ignore {
    /** Send (or resend) the OACK and wait for ACK 0. */
    record SendOptionAck(OptionAck optionAck) implements Step {
    }

    /** Send blocks {@code first} to {@code last} (absolute indices, inclusive) and wait for their ACK. */
    record SendBlocks(long first, long last) implements Step {
        public int count() {
            return (int) (last - first + 1);
        }
    }

    /** Send (or resend) the ACK of absolute block {@code block} (0: the WRQ's) and wait for DATA. */
    record SendAck(long block) implements Step {
    }

    /**
     * Keep the payload of DATA {@code block} (absolute index), the next in order. Then, when {@code acknowledge},
     * ACK it (a window is complete); when {@code last}, the file is whole: make it durable and put it in place, then
     * tell {@link WriteTransfer#committed()}.
     */
    record Store(long block, boolean acknowledge, boolean last) implements Step {
    }

    /** The transfer is over; nothing more is sent. */
    record Finish(TransferOutcome outcome) implements Step {
    }

    /**
     * Send {@code error} once (none when null) and end the transfer; {@code reason} says why in the transfer's log
     * line and summary (the error's text when empty).
     */
    record Abort(ErrorPacket error, TransferOutcome outcome, String reason) implements Step {
        public Abort(ErrorPacket error, TransferOutcome outcome) {
            this(error, outcome, "");
        }
    }

    /** Nothing to do (a duplicate or stale ACK, a DATA that needs no answer); the timer keeps running. */
    enum Ignore implements Step {
        INSTANCE
    }
}
