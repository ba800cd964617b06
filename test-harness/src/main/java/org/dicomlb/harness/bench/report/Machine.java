package org.dicomlb.harness.bench.report;

/**
 * The machine and the peers' versions a run was measured with; printed above every table.
 *
 * @param loadAverage the 1/5/15-minute load average when the run started (a noisy machine shows here)
 */
public record Machine(String date, String cpu, int cores, long memoryMib, String kernel, String jdk,
                      String haproxy, String nginx, String wrk, String iperf3, String dcmtk, String loadAverage) {

    /** One line for the Markdown report. */
    public String describe() {
        return cores + " cores (" + cpu + "), " + String.format(java.util.Locale.ROOT, "%.1f", memoryMib / 1024.0)
                + " GiB RAM, Linux " + kernel + ", JDK " + jdk + ", " + haproxy + ", " + nginx + ", " + wrk + ", "
                + iperf3 + ", " + dcmtk + "; load average at start " + loadAverage;
    }
}
