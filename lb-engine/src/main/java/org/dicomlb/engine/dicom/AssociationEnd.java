package org.dicomlb.engine.dicom;

import java.util.Locale;

/**
 * How an accepted association ended, as seen by following PDU headers ({@code observe-pdus}):
 * the access log's {@code assoc_end}.
 */
enum AssociationEnd {
    /** A-RELEASE-RQ and A-RELEASE-RP went through: the normal end. */
    RELEASED,
    /** The client sent an A-ABORT. */
    ABORTED_BY_CLIENT,
    /** The backend sent an A-ABORT. */
    ABORTED_BY_BACKEND,
    /** An operator closed it and dicomlb sent the client an A-ABORT ({@code dicomlb connections --close}). */
    ABORTED_BY_DICOMLB,
    /** The connection closed without a completed release or an abort. */
    CLOSED_WITHOUT_RELEASE;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
