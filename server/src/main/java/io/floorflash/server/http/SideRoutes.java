package io.floorflash.server.http;

import io.floorflash.server.firmware.origin.OriginCache;
import io.floorflash.server.floor.FloorView;
import io.floorflash.server.metrics.FloorflashMetrics;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The paths each {@link HttpSide} serves; a new route is one line here. */
public final class SideRoutes {
    private SideRoutes() {
    }

    /**
     * The operator side: the floor page and its files, {@code /api/transfers}, {@code /metrics}, {@code /healthz},
     * {@code /readyz}; below {@code /firmware/} only a 404 saying where firmware is served.
     *
     * @param node         this server's name in a fleet, at the head of {@code /api/transfers}
     * @param ready        whether the TFTP listener takes requests ({@code /readyz})
     * @param firmwareSide where the firmware side listens, for that 404; null when it is off
     */
    public static HttpRoutes operator(FloorView floor, String node, FloorflashMetrics metrics, BooleanSupplier ready,
                                      InetSocketAddress firmwareSide) {
        return operator(floor, node, metrics, ready, firmwareSide, List::of);
    }

    /** The operator side, with the fetches from the origin under way in {@code /api/transfers}. */
    public static HttpRoutes operator(FloorView floor, String node, FloorflashMetrics metrics, BooleanSupplier ready,
                                      InetSocketAddress firmwareSide, Supplier<List<OriginCache.Fetching>> fetching) {
        return HttpRoutes.builder()
                .exact("/", StaticRoute.of("floor/index.html", "text/html; charset=utf-8"))
                .exact("/floor.css", StaticRoute.of("floor/floor.css", "text/css; charset=utf-8"))
                .exact("/floor.js", StaticRoute.of("floor/floor.js", "text/javascript; charset=utf-8"))
                .exact("/api/transfers", new TransfersRoute(floor, node, fetching))
                .exact(HealthRoutes.HEALTHZ, HealthRoutes.healthz())
                .exact(HealthRoutes.READYZ, HealthRoutes.readyz(ready))
                .exact(MetricsRoute.PATH, new MetricsRoute(metrics))
                .prefix(FirmwareRoute.PREFIX, FirmwareRoute.elsewhere(where(firmwareSide)))
                .build();
    }

    /** The firmware side's address, or how to turn it on, as a phrase. */
    static String where(InetSocketAddress firmwareSide) {
        if (firmwareSide == null) {
            return "it is off (turn it on with --firmware-http-address, or floorflash.http.firmware.enabled = true)";
        }
        if (firmwareSide.getAddress().isAnyLocalAddress()) {
            return "port " + firmwareSide.getPort() + " of this server's address on the phones' network, " + FirmwareRoute.PREFIX
                    + "NAME";
        }
        String host = firmwareSide.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + firmwareSide.getPort() + FirmwareRoute.PREFIX
                + "NAME";
    }

    /** The firmware side: {@code /firmware/NAME} and {@code /healthz}, nothing about the floor. */
    public static HttpRoutes firmware(FirmwareRoute firmware) {
        return HttpRoutes.builder()
                .exact(HealthRoutes.HEALTHZ, HealthRoutes.healthz())
                .prefix(FirmwareRoute.PREFIX, firmware)
                .build();
    }
}
