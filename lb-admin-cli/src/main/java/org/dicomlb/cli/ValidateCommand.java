package org.dicomlb.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dicomlb validate -c FILE}: every error as FILE:LINE:COL: message, exit 2; or exit 0. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a configuration file without running it. Prints every error as FILE:LINE:COL: message.")
public final class ValidateCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "configuration file (YAML)")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            RootConfig c = RootConfigReader.load(config);
            spec.commandLine().getOut().printf("%s: ok (%d listener(s), %d pool(s), %d backend(s)%s)%n", config,
                    c.engine().listeners().size(), c.engine().pools().size(),
                    c.engine().pools().stream().mapToInt(p -> p.backends().size()).sum(),
                    c.vip().map(v -> ", VIP " + String.join(", ", v.addresses().stream().map(Object::toString).toList())
                            + " on " + v.interfaceName()).orElse(""));
            return ExitCodes.OK;
        } catch (ConfigException e) {
            for (ConfigError err : e.errors()) {
                spec.commandLine().getErr().println(err);
            }
            spec.commandLine().getErr().printf("%d error(s); nothing was changed%n", e.errors().size());
            return ExitCodes.BAD_INPUT;
        }
    }
}
