package org.dicomlb.engine.relay;

import io.netty.channel.ChannelHandler;

/** Makes the first handler of an accepted connection, per listener mode. */
@FunctionalInterface
public interface FrontendFactory {
    ChannelHandler create(ListenerContext listener);
}
