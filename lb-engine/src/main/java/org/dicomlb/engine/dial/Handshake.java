package org.dicomlb.engine.dial;

import io.netty.channel.Channel;
import java.util.function.Consumer;
import org.dicomlb.engine.pool.Endpoint;

/**
 * What a protocol does with a freshly connected backend before the connection is its: nothing
 * for plain TCP ({@link #NONE}); for DICOM, forward the A-ASSOCIATE-RQ and read the answer.
 *
 * @param <D> what an accepting backend's answer carries for the frontend
 */
@FunctionalInterface
public interface Handshake<D> {
    /** Takes every backend as soon as it is connected. */
    Handshake<Void> NONE = (backend, endpoint, answer) -> answer.accept(new Answer.Take<>(null));

    /**
     * Called on the connection's event loop with a connected backend channel. Must call
     * {@code answer} exactly once, on that loop; it may leave handlers it added on a backend it
     * takes, and must remove nothing else. The dialer closes a backend it does not take.
     */
    void start(Channel backend, Endpoint endpoint, Consumer<Answer<D>> answer);
}
