package io.floorflash.server.http;

/**
 * The two HTTP sides. The operator side (page, {@code /api}, {@code /metrics}, health) is for people and their tools
 * and stays on loopback or a management address; the firmware side ({@code /firmware/NAME}) faces the phones. They
 * listen apart so that opening one to the phones' network never opens the other.
 */
public enum HttpSide {
    OPERATOR("operator", "--http-address", "--http-port", "floorflash.http.enabled"),
    FIRMWARE("firmware", "--firmware-http-address", "--firmware-http-port", "floorflash.http.firmware.enabled");

    private final String label;
    private final String addressFlag;
    private final String portFlag;
    private final String enabledKey;

    HttpSide(String label, String addressFlag, String portFlag, String enabledKey) {
        this.label = label;
        this.addressFlag = addressFlag;
        this.portFlag = portFlag;
        this.enabledKey = enabledKey;
    }

    /** {@code operator} or {@code firmware}: the metrics' {@code side} tag and the thread's name. */
    public String label() {
        return label;
    }

    /** The flag that sets this side's address. */
    String addressFlag() {
        return addressFlag;
    }

    /** The flag that sets this side's port. */
    String portFlag() {
        return portFlag;
    }

    /** The key that turns this side off. */
    String enabledKey() {
        return enabledKey;
    }

    @Override
    public String toString() {
        return "the " + label + " HTTP side";
    }
}
