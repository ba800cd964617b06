package org.dicomlb.healthcheck.internal;

import io.netty.channel.epoll.Epoll;
import org.dicomlb.io.Transport;
import org.dicomlb.healthcheck.ProbeTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the checker's own event loop group: epoll on Linux when its native library loads, NIO otherwise. */
public final class IoGroups {
    private static final Logger log = LoggerFactory.getLogger(IoGroups.class);

    private IoGroups() {
    }

    public static ProbeTransport create(int threads, String threadPrefix) {
        Transport kind = Transport.best();
        if (kind != Transport.EPOLL) {
            log.debug("epoll unavailable ({}); health checks use NIO", String.valueOf(Epoll.unavailabilityCause()));
        }
        return new ProbeTransport(kind.newGroup(threads, threadPrefix), kind.socketChannelClass());
    }
}
