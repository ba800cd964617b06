package org.dicomlb.gslb;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an explicit failback of one name did.
 *
 * @param released members answered again from now on
 * @param notReleased the other held members, each with why it stays held
 */
public record FailbackResult(String name, List<String> released, Map<String, String> notReleased) {
    public FailbackResult {
        Objects.requireNonNull(name, "name");
        released = List.copyOf(released);
        notReleased = Map.copyOf(notReleased);
    }

    /** One line for the CLI and logs. */
    public String describe() {
        if (released.isEmpty() && notReleased.isEmpty()) {
            return name + ": no member is held for failback";
        }
        StringBuilder b = new StringBuilder(name).append(": ");
        if (!released.isEmpty()) {
            b.append("failed back to ").append(String.join(", ", released));
        }
        notReleased.forEach((m, why) -> b.append(b.length() > name.length() + 2 ? "; " : "").append(m).append(" stays held: ").append(why));
        return b.toString();
    }
}
