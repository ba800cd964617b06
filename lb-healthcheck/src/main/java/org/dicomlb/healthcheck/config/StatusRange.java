package org.dicomlb.healthcheck.config;

/**
 * HTTP status codes a check accepts, written {@code 200}, {@code 2xx} or {@code 200-204}.
 */
public record StatusRange(int low, int high) {
    public StatusRange {
        if (low < 100 || high > 599 || low > high) {
            throw new IllegalArgumentException("status range " + low + "-" + high + " must lie within 100..599, low first");
        }
    }

    public static StatusRange parse(String text) {
        String s = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.matches("[1-5]xx")) {
                int hundred = (s.charAt(0) - '0') * 100;
                return new StatusRange(hundred, hundred + 99);
            }
            int dash = s.indexOf('-');
            if (dash > 0) {
                return new StatusRange(Integer.parseInt(s.substring(0, dash).strip()), Integer.parseInt(s.substring(dash + 1).strip()));
            }
            int code = Integer.parseInt(s);
            return new StatusRange(code, code);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an HTTP status; write e.g. 200, 2xx or 200-204");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an HTTP status between 100 and 599; write e.g. 200, 2xx or 200-204");
        }
    }

    public boolean contains(int status) {
        return status >= low && status <= high;
    }

    @Override
    public String toString() {
        if (low == high) {
            return Integer.toString(low);
        }
        if (low % 100 == 0 && high == low + 99) {
            return (low / 100) + "xx";
        }
        return low + "-" + high;
    }
}
