package org.dicomlb.dicom.scp;

import java.net.SocketAddress;
import org.dicomlb.dicom.pdu.AssociateRq;

/**
 * Callbacks from a {@link SimulatedScp}, for tests and the demo. They run on the SCP's event
 * loop or storage thread: keep them short and never block.
 */
public interface ScpListener {
    ScpListener NONE = new ScpListener() {
    };

    /** An A-ASSOCIATE-RQ arrived (before it is accepted or rejected). */
    default void associationRequested(AssociateRq request, SocketAddress peer) {
    }

    /** A C-STORE finished, successfully or not; {@code instance.status()} says which. */
    default void instanceReceived(ReceivedInstance instance) {
    }
}
