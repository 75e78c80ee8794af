package io.floorflash.loadtest;

import java.util.SplittableRandom;

/** Seeded, per-phone simulated loss of received and of sent packets. Confined to the phone's event loop. */
final class LossModel {
    private final double receiveLoss;
    private final double sendLoss;
    private final SplittableRandom random;
    private long droppedReceived;
    private long droppedSent;

    LossModel(double receiveLoss, double sendLoss, long seed) {
        this.receiveLoss = receiveLoss;
        this.sendLoss = sendLoss;
        this.random = new SplittableRandom(seed);
    }

    boolean dropReceived() {
        if (receiveLoss > 0 && random.nextDouble() < receiveLoss) {
            droppedReceived++;
            return true;
        }
        return false;
    }

    boolean dropSent() {
        if (sendLoss > 0 && random.nextDouble() < sendLoss) {
            droppedSent++;
            return true;
        }
        return false;
    }

    long droppedReceived() {
        return droppedReceived;
    }

    long droppedSent() {
        return droppedSent;
    }
}
