package org.dicomlb.engine.dicom;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Optional;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.pdu.AssociateRj;

/**
 * A backend's final answer to a forwarded A-ASSOCIATE-RQ, as {@link DicomHandshake} hands it to
 * the frontend. Answers that send the request on to the next backend never get here.
 */
sealed interface AssociationAnswer {
    /** Whether the backend was sent a called AE of its own ({@code called-ae}). */
    Optional<AeTitle> rewrite();

    /**
     * A-ASSOCIATE-AC: {@code toClient} is the AC (AE fields restored) and whatever the backend sent
     * behind it in the same read, in order, for the client.
     *
     * @param contextsAccepted accepted presentation contexts, or -1 when the AC could not be read
     */
    record Accepted(List<ByteBuf> toClient, int contextsAccepted, Optional<AeTitle> rewrite) implements AssociationAnswer {
    }

    /** A-ASSOCIATE-RJ permanent: the client gets {@code rjBytes} as is; the backend did its job. */
    record Rejected(AssociateRj rj, ByteBuf rjBytes, Optional<AeTitle> rewrite) implements AssociationAnswer {
    }
}
