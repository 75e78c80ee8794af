package io.floorflash.server.provisioning.render;

/** What {@link SettingsRenderer#render} made of a request: a file, or no such device (the rule's fallback applies). */
public sealed interface RenderResult permits RenderedFile, UnknownDevice {
}
