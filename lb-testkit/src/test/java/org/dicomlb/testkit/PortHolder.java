package org.dicomlb.testkit;

/** A separate process that takes ports through {@link Ports}, prints them, and holds them until its input closes. */
public final class PortHolder {
    private PortHolder() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ports.append(Ports.free("127.0.0.1")).append(' ');
        }
        System.out.println(ports.toString().strip());
        System.out.flush();
        System.in.read();
    }
}
