package org.dicomlb.harness.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one {@code storescu -v} run says happened: "Sending file: F" comes before each C-STORE and
 * "Received Store Response (Success)" when the receiver confirmed it, so the output tells exactly
 * which instances got a success status. Anything else (a warning status, an error, no response)
 * is not a promise that the instance was stored.
 *
 * @param stored     UIDs whose C-STORE got status Success, in the order sent
 * @param kind       how the association failed, from a small fixed set ({@code ok} when nothing
 *                   went wrong that storescu reported)
 * @param firstError the first few fatal or error lines storescu printed (DCMTK says what failed
 *                   on one line and why on the next)
 */
public record StorescuOutput(List<String> stored, String kind, String firstError) {
    public StorescuOutput {
        stored = List.copyOf(stored);
    }

    /** Reads storescu's output; {@code uidByFile} maps each file it was given to its SOP Instance UID. */
    public static StorescuOutput parse(String output, Map<String, String> uidByFile) {
        List<String> stored = new ArrayList<>();
        String current = null;
        List<String> errors = new ArrayList<>();
        for (String line : output.split("\n")) {
            String l = line.strip();
            int sending = l.indexOf("Sending file: ");
            if (sending >= 0) {
                current = uidByFile.get(l.substring(sending + "Sending file: ".length()).strip());
            } else if (l.contains("Received Store Response")) {
                if (current != null && l.contains("Received Store Response (Success)")) {
                    stored.add(current);
                }
                current = null;
            } else if ((l.startsWith("E:") || l.startsWith("F:")) && errors.size() < 3) {
                errors.add(l);
            }
        }
        return new StorescuOutput(stored, kind(output), String.join(" | ", errors));
    }

    /** A bounded vocabulary for reports: what storescu said went wrong. */
    private static String kind(String output) {
        if (output.contains("Association Rejected")) {
            return "rejected";
        }
        if (output.contains("Connection refused")) {
            return "connect-refused";
        }
        if (output.contains("No route to host") || output.contains("Network is unreachable")) {
            return "unreachable";
        }
        if (output.contains("Timeout") || output.contains("timeout") || output.contains("timed out")) {
            return "timeout";
        }
        if (output.contains("Peer aborted Association") || output.contains("Association Aborted")) {
            return "aborted";
        }
        if (output.contains("Peer closed") || output.contains("Connection reset") || output.contains("Broken pipe")
                || output.contains("Network closed") || output.contains("TCP I/O Error")
                || output.contains("DIMSE Failed to receive message") || output.contains("Read PDV failed")) {
            return "connection-lost";
        }
        if (output.contains("Received Store Response (")) {
            return "store-status";
        }
        return "other";
    }
}
