package org.dicomlb.dicom.echo;

import java.time.Duration;
import java.util.Objects;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AbortSource;
import org.dicomlb.dicom.pdu.PresentationContextResult;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.RejectSource;

/** How a C-ECHO ended. Only {@link Success} means the peer is a working Verification SCP. */
public sealed interface EchoResult {

    /** A short, stable label for metrics tags and logs ({@code success}, {@code rejected} ...). */
    default String label() {
        return switch (this) {
            case Success _ -> "success";
            case Rejected _ -> "rejected";
            case Aborted _ -> "aborted";
            case Failed _ -> "failed";
            case VerificationNotAccepted _ -> "not-accepted";
            case Timeout _ -> "timeout";
            case ConnectFailed _ -> "connect-failed";
            case ProtocolError _ -> "protocol-error";
        };
    }

    default boolean isSuccess() {
        return this instanceof Success;
    }

    /**
     * The peer answered with status 0x0000.
     *
     * @param rtt from the start of the connect to the C-ECHO-RSP
     */
    record Success(Duration rtt, int status) implements EchoResult {
        public Success {
            Objects.requireNonNull(rtt, "rtt");
        }
    }

    /** The peer refused the association with an A-ASSOCIATE-RJ. */
    record Rejected(RejectResult result, RejectSource source, RejectReason reason) implements EchoResult {
    }

    /** The peer sent an A-ABORT. */
    record Aborted(AbortSource source, AbortReason reason) implements EchoResult {
    }

    /** The association worked but the C-ECHO-RSP status was not success. */
    record Failed(int status) implements EchoResult {
        @Override
        public String toString() {
            return "Failed[status=" + Status.hex(status) + "]";
        }
    }

    /** The peer accepted the association but not the Verification presentation context. */
    record VerificationNotAccepted(PresentationContextResult result) implements EchoResult {
    }

    /** The timeout passed during {@code phase}. */
    record Timeout(Phase phase) implements EchoResult {
    }

    /**
     * No TCP connection (refused, unreachable ...).
     *
     * @param localShortage the connection could not even be attempted: this process is out of
     *                      file descriptors, which says nothing about the peer
     */
    record ConnectFailed(String reason, boolean localShortage) implements EchoResult {
        public ConnectFailed(String reason) {
            this(reason, false);
        }
    }

    /** The peer broke the protocol, or the connection dropped mid-exchange. */
    record ProtocolError(String detail) implements EchoResult {
    }

    /** Where an echo was when it ran out of time. */
    enum Phase {
        /** TCP connect. */
        CONNECT,
        /** Waiting for A-ASSOCIATE-AC/RJ. */
        ASSOCIATE,
        /** Waiting for C-ECHO-RSP. */
        ECHO
    }
}
