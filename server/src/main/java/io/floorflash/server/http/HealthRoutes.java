package io.floorflash.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.BooleanSupplier;

/** {@code /healthz} (the process answers) and {@code /readyz} (the TFTP listener takes requests). */
public final class HealthRoutes {
    /** Where {@link #healthz()} answers. */
    public static final String HEALTHZ = "/healthz";
    /** Where {@link #readyz(BooleanSupplier)} answers. */
    public static final String READYZ = "/readyz";

    private HealthRoutes() {
    }

    /** 200 "ok" whenever the process can answer at all. */
    public static HttpRoute healthz() {
        return (ctx, request, uri) -> HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ok");
    }

    /** 200 "ready" while {@code accepting} says so, else 503 "not accepting requests". */
    public static HttpRoute readyz(BooleanSupplier accepting) {
        return (ctx, request, uri) -> {
            if (accepting.getAsBoolean()) {
                HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ready");
            } else {
                HttpResponses.text(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "not accepting requests");
            }
        };
    }
}
