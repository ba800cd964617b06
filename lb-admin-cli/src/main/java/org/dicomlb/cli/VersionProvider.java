package org.dicomlb.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.dicomlb.tls.TlsProvider;
import picocli.CommandLine;

/** {@code dicomlb --version}: the build's version, the JVM, the TLS provider and the OS it runs on. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "dicomlb " + version(),
            "JVM: " + System.getProperty("java.vm.name") + " " + Runtime.version(),
            "TLS: " + TlsProvider.summary(),
            "OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")
        };
    }
}
