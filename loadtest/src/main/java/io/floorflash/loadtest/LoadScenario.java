package io.floorflash.loadtest;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * One load run, fully specified.
 *
 * @param server       the TFTP server's request address
 * @param file         the remote file name
 * @param expected     what every phone must receive
 * @param phones       transfers in flight at once
 * @param transfers    transfers in all
 * @param rampPerSecond new transfers started per second; 0 starts all at once (a switch reboot)
 * @param options      the request's options
 * @param clientTimeout the phone's own retry wait
 * @param clientRetries retries before a phone gives up
 * @param receiveLoss  fraction of received packets dropped (simulated)
 * @param sendLoss     fraction of sent packets dropped (simulated)
 * @param seed         seed of the loss model
 * @param maxDuration  hard cap on the run: phones still running then count as failed
 * @param threads      event-loop threads of the simulator
 */
record LoadScenario(InetSocketAddress server, String file, ExpectedContent expected, int phones, int transfers,
                    int rampPerSecond, Map<String, String> options, Duration clientTimeout, int clientRetries,
                    double receiveLoss, double sendLoss, long seed, Duration maxDuration, int threads) {
}
