package org.dicomlb.engine.live;

import java.util.Objects;

/**
 * How an operator's close of one connection went ({@code POST /api/v1/connections/ID/close}).
 *
 * @param connection the connection as it was when the close began
 * @param aborted    true when the client was sent an A-ABORT (DICOM) before the close
 * @param detail     what was done, in words for the operator and the audit log
 */
public record OperatorClose(LiveConnection connection, boolean aborted, String detail) {
    public OperatorClose {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(detail, "detail");
    }
}
