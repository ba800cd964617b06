package org.dicomlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dicomlb vip status|demote|promote}: the floating VIP of this node of the pair. */
@Command(name = "vip", mixinStandardHelpOptions = true,
        description = "The floating VIP of an active/passive pair: its state on this node, and maintenance.",
        subcommands = {VipCommand.Status.class, VipCommand.Demote.class, VipCommand.Promote.class})
public final class VipCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a vip command is required: status, demote or promote");
    }

    /** One line per fact, as an operator reads it. */
    static void print(PrintWriter out, JsonNode v) {
        String addresses = String.join(", ", v.path("addresses").valueStream().map(JsonNode::asText).toList());
        out.printf("VIP %s on %s (VRID %d): %s since %s%n", addresses, v.path("interface_name").asText(),
                v.path("virtual_router_id").asInt(), v.path("state").asText(), v.path("since").asText());
        out.printf("priority %d configured, %s effective%s%n", v.path("priority").asInt(),
                v.path("effective_priority").isMissingNode() ? "unknown" : v.path("effective_priority").asText(),
                v.path("demoted").asBoolean() ? " (demoted for maintenance)" : "");
        if (v.path("serving").asBoolean()) {
            out.println("serving: yes");
        } else {
            out.println("serving: no (" + String.join("; ", v.path("not_serving_because").valueStream()
                    .map(JsonNode::asText).toList()) + ")");
        }
        out.printf("keepalived: %s, %d restart(s)%s%n",
                v.path("keepalived_pid").isMissingNode() ? "not running" : "pid " + v.path("keepalived_pid").asLong(),
                v.path("keepalived_restarts").asInt(),
                v.path("last_exit").isMissingNode() ? "" : ", last exit " + v.path("last_exit").asText());
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show this node's VRRP state, priority, whether it can serve, and keepalived.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        AdminTarget target;

        @Option(names = "--json", description = "print the admin API's JSON")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return target.show(spec, "vip status", "/api/v1/vip", json, VipCommand::print);
        }
    }

    /** demote and promote: one POST each, the node's status after it. */
    abstract static class Change implements Callable<Integer> {
        @CommandLine.Mixin
        AdminTarget target;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract String action();

        @Override
        public Integer call() throws Exception {
            AdminTarget.Response r;
            try {
                r = target.call("POST", "/api/v1/vip/" + action(), "{}");
            } catch (AdminTarget.BadTarget e) {
                spec.commandLine().getErr().println(e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (r.status() != 200) {
                return r.failed("vip " + action(), spec.commandLine().getErr());
            }
            print(spec.commandLine().getOut(), r.body());
            return ExitCodes.OK;
        }
    }

    @Command(name = "demote", mixinStandardHelpOptions = true,
            description = {"Maintenance: lower this node's priority; as master it hands the VIP to the peer at once.",
                "Associations open through this node break when the VIP moves: demote at a quiet moment."})
    static final class Demote extends Change {
        @Override
        String action() {
            return "demote";
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "End a demotion: this node's priority is restored (the VIP moves back only with preempt).")
    static final class Promote extends Change {
        @Override
        String action() {
            return "promote";
        }
    }
}
