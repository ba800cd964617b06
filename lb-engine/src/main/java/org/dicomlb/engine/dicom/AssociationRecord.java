package org.dicomlb.engine.dicom;

import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.engine.access.ConnectionRecord;
import org.dicomlb.engine.live.LiveConnection;

/**
 * The DICOM half of one connection's access-log line (documented in docs/access-log.md). Every
 * field is put on the record at accept so the line always has them in the same order, {@code -}
 * while unknown. Confined to the connection's event loop, like the record itself.
 */
final class AssociationRecord {
    /** Who sent an A-ASSOCIATE-RJ or A-ABORT: the {@code by} field. */
    static final String BY_DICOMLB = "dicomlb";
    static final String BY_BACKEND = "backend";
    static final String BY_CLIENT = "client";

    private static final String[] FIELDS = {"calling_ae", "called_ae", "called_ae_sent", "route", "result", "reject",
        "abort", "by", "contexts_proposed", "contexts_accepted", "assoc_end", "pdata_in", "pdata_out"};

    private final ConnectionRecord record;
    private Outcome outcome;
    private boolean observed;
    private long pdataIn;
    private long pdataOut;
    private boolean releaseRequested;
    private boolean releaseConfirmed;
    private AssociationEnd aborted;

    AssociationRecord(ConnectionRecord record) {
        this.record = record;
        for (String f : FIELDS) {
            record.field(f, null);
        }
    }

    void request(AssociateRq rq) {
        record.field("calling_ae", rq.callingAe().text());
        record.field("called_ae", rq.calledAe().text());
        record.field("contexts_proposed", Integer.toString(rq.presentationContexts().size()));
    }

    void route(String label) {
        record.field("route", label);
    }

    void calledAeSent(AeTitle sent) {
        record.field("called_ae_sent", sent.value());
    }

    void rejected(AssociateRj rj, String by) {
        decided(Outcome.REJECTED);
        record.field("reject", rj.result().code() + "-" + rj.source().code() + "-" + rj.reasonCode());
        record.field("by", by);
    }

    /** @param abort the A-ABORT, or null when its codes were not read */
    void aborted(Abort abort, String by) {
        decided(Outcome.ABORTED);
        record.field("abort", abort == null ? null : abort.source().code() + "-" + abort.reason().code());
        record.field("by", by);
    }

    /** dicomlb itself ended the accepted association with {@code abort} (an operator's close). */
    void abortedByDicomlb(Abort abort) {
        if (aborted == null) {
            aborted = AssociationEnd.ABORTED_BY_DICOMLB;
        }
        aborted(abort, BY_DICOMLB);
    }

    /** The association's fields as an operator sees them now. */
    LiveConnection.Association live() {
        boolean counting = observed && outcome == Outcome.ACCEPTED;
        return new LiveConnection.Association(record.field("calling_ae"), record.field("called_ae"),
                outcome == null ? null : outcome.label(), counting ? pdataIn : null, counting ? pdataOut : null);
    }

    /** The backend's AC reached the client; {@code contextsAccepted} is -1 when the AC could not be read. */
    void accepted(int contextsAccepted) {
        decided(Outcome.ACCEPTED);
        record.field("contexts_accepted", contextsAccepted < 0 ? null : Integer.toString(contextsAccepted));
    }

    /** The negotiation ended this way unless it was decided already (the first decision stands). */
    void decided(Outcome o) {
        if (outcome == null) {
            outcome = o;
            record.field("result", o.label());
        }
    }

    Outcome outcome() {
        return outcome == null ? Outcome.CLOSED : outcome;
    }

    /** PDU headers are followed from now on ({@code observe-pdus}). */
    void observing() {
        observed = true;
    }

    /** The relayed bytes stopped looking like PDUs: how the association ended is unknown. */
    void untracked() {
        observed = false;
    }

    /** A PDU header went by in the relay. */
    void pdu(int type, boolean fromClient) {
        if (type == PduType.P_DATA_TF.code()) {
            if (fromClient) {
                pdataIn++;
            } else {
                pdataOut++;
            }
        } else if (type == PduType.A_RELEASE_RQ.code()) {
            releaseRequested = true;
        } else if (type == PduType.A_RELEASE_RP.code()) {
            releaseConfirmed = releaseRequested;
        } else if (type == PduType.A_ABORT.code() && aborted == null) {
            aborted = fromClient ? AssociationEnd.ABORTED_BY_CLIENT : AssociationEnd.ABORTED_BY_BACKEND;
        }
    }

    /** Writes the fields only known at the end; called once, just before the line is written. */
    void finish() {
        decided(Outcome.CLOSED);
        if (observed && outcome == Outcome.ACCEPTED) {
            AssociationEnd end = aborted != null ? aborted
                    : releaseConfirmed ? AssociationEnd.RELEASED : AssociationEnd.CLOSED_WITHOUT_RELEASE;
            record.field("assoc_end", end.label());
            record.field("pdata_in", Long.toString(pdataIn));
            record.field("pdata_out", Long.toString(pdataOut));
        }
    }
}
