package io.floorflash.server.pipeline;

/** Names of the pipeline stages, so handlers can be found and replaced by name. */
public final class PipelineNames {
    public static final String INTAKE = "intake-limit";
    public static final String DECODER = "tftp-decoder";
    public static final String ENCODER = "tftp-encoder";
    public static final String DISPATCHER = "request-dispatcher";
    public static final String TRANSFERS = "transfer-port";
    public static final String HTTP_REQUEST_START = "http-request-start";
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_NOSNIFF = "http-nosniff";
    public static final String HTTP_REQUEST_DEADLINE = "http-request-deadline";
    public static final String HTTP_IDLE = "http-idle";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String HTTP_FLOW_CONTROL = "http-flow-control";
    public static final String HTTP_PACER = "http-pacer";
    public static final String HTTP_CHUNKED = "http-chunked";
    public static final String HTTP_ROUTER = "http-router";

    private PipelineNames() {
    }
}
