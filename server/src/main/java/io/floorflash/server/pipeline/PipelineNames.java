package io.floorflash.server.pipeline;

/** Names of the pipeline stages, so handlers can be found and replaced by name. */
public final class PipelineNames {
    public static final String DECODER = "tftp-decoder";
    public static final String ENCODER = "tftp-encoder";
    public static final String DISPATCHER = "request-dispatcher";
    public static final String TRANSFER = "read-transfer";

    private PipelineNames() {
    }
}
