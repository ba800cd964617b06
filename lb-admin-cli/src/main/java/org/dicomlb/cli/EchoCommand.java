package org.dicomlb.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dicomlb.config.Durations;
import org.dicomlb.config.Section;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.StandaloneEchoScu;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code dicomlb echo AET@HOST:PORT}: one C-ECHO, for an engineer checking a DICOM path by hand
 * (through dicomlb or straight to a backend). Prints how it went; exits 0 only on success.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = {"Send a DICOM C-ECHO (Verification) and print the outcome: success with the round-trip time,",
            "the A-ASSOCIATE-RJ or A-ABORT codes, a timeout or a connect failure.",
            "Exit 0 on success, 1 on any other outcome, 2 on bad arguments."})
public final class EchoCommand implements Callable<Integer> {
    @CommandLine.Parameters(index = "0", paramLabel = "AET@HOST:PORT",
            description = "called AE title, host and port, e.g. ARCHIVE@127.0.0.1:104 or ARCHIVE@[::1]:104")
    String target;

    @CommandLine.Option(names = "--calling-ae", paramLabel = "AET", defaultValue = "DICOMLB",
            description = "our AE title (default: ${DEFAULT-VALUE})")
    String callingAe;

    @CommandLine.Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "bound on the whole exchange, connect to release (default: ${DEFAULT-VALUE})")
    String timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        EchoRequest request = request();
        PrintWriter out = spec.commandLine().getOut();
        String where = request.calledAe() + "@" + SocketAddresses.format(request.address());
        EchoResult result;
        try (StandaloneEchoScu scu = StandaloneEchoScu.create()) {
            // The SCU ends every echo within its timeout; the slack only guards against a stuck loop.
            result = scu.echo(request).get(request.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("interrupted: " + where);
            return ExitCodes.FAILURE;
        } catch (ExecutionException | TimeoutException e) {
            out.println("error: " + where + ": " + e);
            return ExitCodes.FAILURE;
        }
        out.println(describe(result, where, request.timeout()));
        return result.isSuccess() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private EchoRequest request() {
        int at = target.lastIndexOf('@');
        if (at <= 0 || at == target.length() - 1) {
            throw bad("'" + target + "' is not AET@HOST:PORT");
        }
        AeTitle called = aeTitle(target.substring(0, at), "called AE title");
        AeTitle calling = aeTitle(callingAe, "--calling-ae");
        String hostPort = target.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw bad("'" + hostPort + "' has no :PORT");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Duration limit;
        int port;
        InetAddress address;
        try {
            port = SocketAddresses.port(hostPort.substring(colon + 1), hostPort);
            limit = Durations.parse(timeout);
            // Resolving blocks; this is the command's own thread, not an event loop.
            address = InetAddress.getByName(host);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        } catch (UnknownHostException e) {
            throw bad("cannot resolve host '" + host + "'");
        }
        if (limit.isZero() || limit.isNegative()) {
            throw bad("--timeout must be positive");
        }
        return new EchoRequest(calling, called, new InetSocketAddress(address, port), limit);
    }

    private AeTitle aeTitle(String text, String what) {
        String problem = AeTitle.problemWith(text);
        if (problem != null) {
            throw bad(what + " '" + text + "' is not a valid AE title: " + problem);
        }
        return AeTitle.of(text);
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static String describe(EchoResult result, String where, Duration timeout) {
        return switch (result) {
            case EchoResult.Success s -> "success: " + where + " answered the C-ECHO in " + s.rtt().toMillis() + " ms";
            case EchoResult.Rejected r -> "rejected: " + where + " sent A-ASSOCIATE-RJ result " + r.result().code() + " ("
                    + name(r.result()) + "), source " + r.source().code() + " (" + name(r.source()) + "), reason "
                    + (r.reason().code() < 0 ? "reserved" : r.reason().code() + " (" + name(r.reason()) + ")");
            case EchoResult.Aborted a -> "aborted: " + where + " sent A-ABORT source " + a.source().code() + " ("
                    + name(a.source()) + "), reason " + a.reason().code() + " (" + name(a.reason()) + ")";
            case EchoResult.Failed f -> "failed: " + where + " answered the C-ECHO with status " + Status.hex(f.status());
            case EchoResult.VerificationNotAccepted v -> "not accepted: " + where
                    + " accepted the association but not the Verification SOP class (" + name(v.result()) + ")";
            case EchoResult.Timeout t -> "timeout: " + where + " gave no " + switch (t.phase()) {
                case CONNECT -> "TCP connection";
                case ASSOCIATE -> "A-ASSOCIATE-AC or -RJ";
                case ECHO -> "C-ECHO response";
            } + " within " + Durations.format(timeout);
            case EchoResult.ConnectFailed c -> "connect failed: " + where + ": " + c.reason();
            case EchoResult.ProtocolError p -> "protocol error: " + where + ": " + p.detail();
        };
    }

    private static String name(Enum<?> e) {
        return Section.kebab(e);
    }
}
