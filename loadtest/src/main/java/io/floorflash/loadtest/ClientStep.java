package io.floorflash.loadtest;

/** What {@link ClientTransfer} decides; {@link SimulatedPhone} carries it out. */
sealed interface ClientStep permits ClientStep.SendAck, ClientStep.SendRequest, ClientStep.Complete, ClientStep.Fail,
        ClientStep.Wait {
    /** Acknowledge 16-bit {@code block}. */
    record SendAck(int block) implements ClientStep {
    }

    /** (Re)send the read request. */
    enum SendRequest implements ClientStep {
        INSTANCE
    }

    /** Every byte arrived and matched; acknowledge {@code block}, then dally. */
    record Complete(int block) implements ClientStep {
    }

    /** The transfer failed; {@code error} says why, {@code mismatch} whether content differed. */
    record Fail(String error, boolean mismatch, boolean sendError) implements ClientStep {
    }

    /** Nothing to send now. */
    enum Wait implements ClientStep {
        INSTANCE
    }
}
