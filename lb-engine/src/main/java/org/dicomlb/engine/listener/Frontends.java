package org.dicomlb.engine.listener;

import io.netty.channel.ChannelHandler;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.dicomlb.engine.config.ListenerMode;
import org.dicomlb.engine.relay.ListenerContext;

/**
 * The named seam where listener modes plug in: for each {@link ListenerMode} record, what makes
 * the first handler of an accepted connection.
 */
public final class Frontends {
    private final Map<Class<? extends ListenerMode>, Function<ListenerContext, ChannelHandler>> byMode =
            new ConcurrentHashMap<>();

    public <M extends ListenerMode> void register(Class<M> mode, Function<ListenerContext, ChannelHandler> factory) {
        byMode.put(Objects.requireNonNull(mode, "mode"), Objects.requireNonNull(factory, "factory"));
    }

    boolean supports(ListenerMode mode) {
        return byMode.containsKey(mode.getClass());
    }

    ChannelHandler create(ListenerContext listener) {
        return byMode.get(listener.config().mode().getClass()).apply(listener);
    }
}
