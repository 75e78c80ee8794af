package io.floorflash.server.provisioning.render;

/**
 * The requested name's MAC is not in the inventory, or is no MAC at all: the rule's fallback applies (a generic file,
 * or ERROR 1).
 *
 * @param reason for a DEBUG line, such as "no device 00:04:13:a1:1f:b0 in /srv/provisioning/phones.csv"
 */
public record UnknownDevice(String reason) implements RenderResult {
}
