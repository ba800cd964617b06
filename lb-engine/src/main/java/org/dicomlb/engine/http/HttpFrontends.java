package org.dicomlb.engine.http;

import io.netty.channel.ChannelHandler;
import java.util.function.Function;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.relay.ListenerContext;

/**
 * Makes the frontend of each {@code mode: http} connection; registered with the engine's
 * listeners. Holds what every http connection of the engine shares: meters, the access log, the
 * persistence cookies' values and the source-persistence selectors.
 */
public final class HttpFrontends implements Function<ListenerContext, ChannelHandler> {
    private final HttpShared shared;

    public HttpFrontends(EngineMetrics metrics, AccessLog accessLog) {
        this.shared = new HttpShared(new HttpMetrics(metrics), accessLog, new CookieValues(), new SourceChoices());
    }

    @Override
    public ChannelHandler apply(ListenerContext listener) {
        return new HttpFrontend(listener, shared);
    }
}
