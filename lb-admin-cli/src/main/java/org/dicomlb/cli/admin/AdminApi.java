package org.dicomlb.cli.admin;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.LiveConnections;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.gslb.FailbackResult;
import org.dicomlb.vip.VipStatus;

/**
 * What the admin listener serves, as the composition root provides it: status records each
 * module publishes, the metrics text, and the few state-changing actions. The admin server calls
 * down into this; nothing here calls back into the server.
 */
public interface AdminApi {
    /** The appliance's status document ({@code GET /api/v1/status}); any thread. */
    ApplianceStatus status();

    /** The Prometheus text ({@code GET /metrics}); any thread. */
    String scrape();

    /** Re-reads and applies the configuration file ({@code POST /api/v1/reload}). */
    CompletableFuture<ReloadResult> reload();

    /** Sets a backend's admin state ({@code PUT /api/v1/pools/P/backends/B/state}). */
    CompletableFuture<Engine.StateChange> setBackendState(String pool, String backend, AdminState state);

    /** The floating VIP's status ({@code GET /api/v1/vip}); empty when the file has no vip: section. */
    Optional<VipStatus> vipStatus();

    /**
     * Demotes this node for maintenance or ends the demotion ({@code POST /api/v1/vip/demote},
     * {@code /promote}); empty when the file has no vip: section.
     */
    Optional<CompletableFuture<VipStatus>> demoteVip(boolean demote);

    /**
     * Releases the members of a GSLB name held by its failback policy
     * ({@code POST /api/v1/gslb/NAME/failback}). Fails with {@link IllegalArgumentException} for a
     * name the GSLB does not have, {@link IllegalStateException} when no GSLB runs.
     */
    CompletableFuture<FailbackResult> gslbFailback(String name);

    /**
     * Open connections and associations that pass {@code filter}, oldest first, at most
     * {@code limit} ({@code GET /api/v1/connections}).
     */
    CompletableFuture<LiveConnections> connections(Predicate<LiveConnection> filter, int limit);

    /**
     * Ends one open connection; a DICOM association is sent an A-ABORT first
     * ({@code POST /api/v1/connections/ID/close}). Empty when there is no such open connection.
     */
    CompletableFuture<Optional<OperatorClose>> closeConnection(long id);
}
