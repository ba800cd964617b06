package org.dicomlb.harness.soak;

/**
 * One reading of dicomlb's process.
 *
 * @param seconds     since the load started
 * @param rssKib      resident set size (VmRSS)
 * @param descriptors open file descriptors (/proc/PID/fd)
 * @param flood       an idle flood was open at some moment since the previous reading
 */
public record Sample(double seconds, long rssKib, int descriptors, boolean flood) {
}
