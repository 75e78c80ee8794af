package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;

/** What {@link ReadTransfer} decides; {@link Transfer} carries it out. */
public sealed interface Step permits Step.SendOptionAck, Step.SendBlocks, Step.Finish, Step.Abort, Step.Ignore {
    /** Send (or resend) the OACK and wait for ACK 0. */
    record SendOptionAck(OptionAck optionAck) implements Step {
    }

    /** Send blocks {@code first} to {@code last} (absolute indices, inclusive) and wait for their ACK. */
    record SendBlocks(long first, long last) implements Step {
        public int count() {
            return (int) (last - first + 1);
        }
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

    /** Nothing to do (a duplicate or stale ACK); the timer keeps running. */
    enum Ignore implements Step {
        INSTANCE
    }
}
