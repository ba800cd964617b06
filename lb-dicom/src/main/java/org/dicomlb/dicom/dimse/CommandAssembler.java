package org.dicomlb.dicom.dimse;

import java.io.ByteArrayOutputStream;
import java.util.Optional;
import org.dicomlb.dicom.pdu.Pdv;

/**
 * Collects the command fragments of one DIMSE message, which a sender may split across PDVs
 * and PDUs at any octet (PS3.8 annex E). Bounded: a command set larger than the cap is an
 * error rather than memory the peer can grow at will. Not thread-safe; one per association.
 */
public final class CommandAssembler {
    /** Larger than any command set of PS3.7 with room for long UIDs and AE titles. */
    public static final int DEFAULT_MAX_COMMAND_LENGTH = 64 * 1024;

    private final int maxCommandLength;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(128);
    private int contextId = -1;

    public CommandAssembler(int maxCommandLength) {
        if (maxCommandLength < 1) {
            throw new IllegalArgumentException("max command length must be positive");
        }
        this.maxCommandLength = maxCommandLength;
    }

    /** Whether part of a command has arrived and its last fragment has not. */
    public boolean inProgress() {
        return contextId != -1;
    }

    /**
     * Adds one command fragment; returns the whole command set when {@code pdv} is the last.
     *
     * @throws DimseException when {@code pdv} is a data fragment, switches presentation
     *                        context mid-command, or the command grows past the cap
     */
    public Optional<byte[]> add(Pdv pdv) throws DimseException {
        if (!pdv.command()) {
            throw new DimseException("data set fragment where a command fragment was expected");
        }
        if (contextId != -1 && contextId != pdv.contextId()) {
            throw new DimseException("command fragments switch from presentation context " + contextId + " to "
                    + pdv.contextId());
        }
        if ((long) buffer.size() + pdv.data().length() > maxCommandLength) {
            throw new DimseException("command set exceeds " + maxCommandLength + " octets");
        }
        contextId = pdv.contextId();
        buffer.writeBytes(pdv.data().array());
        if (!pdv.last()) {
            return Optional.empty();
        }
        byte[] whole = buffer.toByteArray();
        buffer.reset();
        contextId = -1;
        return Optional.of(whole);
    }
}
