package org.dicomlb.engine.relay;

import java.util.function.Consumer;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.OperatorClose;

/**
 * What a protocol frontend adds to the operator's view of its connection, and how it ends one
 * when an operator asks ({@link ProxyConnection#protocol}). Called on the connection's event loop
 * only. A frontend that sets none gets the plain behaviour: no protocol fields, and a close.
 */
public interface OperatorHooks {
    /** The protocol's fields of the live view, or null for none. */
    LiveConnection.Association association();

    /**
     * Ends the connection on an operator's request (end {@code admin_close} in the access log),
     * in the protocol's own terms (DICOM: an A-ABORT first). {@code done} is called once, on the
     * event loop, when the ending has begun, with what was done.
     */
    void endByOperator(LiveConnection before, Consumer<OperatorClose> done);
}
