package io.floorflash.loadtest;

/**
 * How one simulated transfer ended.
 *
 * @param ok              every byte arrived and matched
 * @param mismatch        content differed from the expected
 * @param error           why it failed, empty when ok
 * @param firstDataNanos  from the request to the first answer (OACK or DATA), -1 when none came
 * @param durationNanos   from the request to the last block
 */
record PhoneResult(boolean ok, boolean mismatch, String error, long bytes, long firstDataNanos, long durationNanos,
                   long timeouts, long duplicates, long acksSent, long droppedReceived, long droppedSent,
                   long dataPackets) {
}
