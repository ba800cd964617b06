package org.dicomlb.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which CPUs a thread may run on: Linux's {@code sched_getaffinity} and {@code sched_setaffinity}
 * for the calling thread, called through the JDK's foreign function interface (no native library
 * of our own).
 *
 * <p>Why an appliance may bind its I/O threads ({@code --cpu-affinity auto}, docs/operations.md,
 * "CPUs"): an event loop that is busy enough never sleeps, and the kernel then may leave two of
 * them on one CPU, each waiting a whole time slice (several milliseconds) while the other runs,
 * with the other CPU serving the processes they talk to. Every connection of the waiting loop
 * waits too. Why that is not the default: a bound loop cannot move away from another busy
 * process on its CPU.
 */
public final class CpuAffinity {
    /** glibc's {@code cpu_set_t}: 1,024 CPUs. */
    private static final int SET_BYTES = 128;
    private static final Native NATIVE = Native.load();

    private CpuAffinity() {
    }

    /** The functions, or why they are not there (not Linux, no native access). */
    private record Native(MethodHandle get, MethodHandle set, VarHandle errno, String unavailable) {
        static Native load() {
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                FunctionDescriptor d = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
                var lookup = linker.defaultLookup();
                MethodHandle get = linker.downcallHandle(lookup.find("sched_getaffinity").orElseThrow(), d, errno);
                MethodHandle set = linker.downcallHandle(lookup.find("sched_setaffinity").orElseThrow(), d, errno);
                VarHandle e = Linker.Option.captureStateLayout()
                        .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
                return new Native(get, set, e, null);
            } catch (RuntimeException | LinkageError e) {
                return new Native(null, null, null, "no sched_setaffinity here (" + e + ")");
            }
        }
    }

    /** Why binding threads is not possible here, or empty when it is. */
    public static Optional<String> unavailable() {
        return Optional.ofNullable(NATIVE.unavailable());
    }

    /**
     * The CPUs the calling thread may run on, in ascending order (a process started under
     * {@code taskset} or in a cpuset gets its subset).
     *
     * @throws IllegalStateException when the kernel cannot be asked (see {@link #unavailable()})
     */
    public static List<Integer> allowed() {
        byte[] set = call(NATIVE.get(), "sched_getaffinity", new byte[SET_BYTES]);
        List<Integer> cpus = new ArrayList<>();
        for (int cpu = 0; cpu < SET_BYTES * 8; cpu++) {
            if ((set[cpu / 8] & (1 << (cpu % 8))) != 0) {
                cpus.add(cpu);
            }
        }
        return List.copyOf(cpus);
    }

    /**
     * Binds the calling thread to {@code cpu}.
     *
     * @throws IllegalStateException with the kernel's reason when it refuses (a CPU outside the
     *                               process's cpuset, say)
     */
    public static void bindCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= SET_BYTES * 8) {
            throw new IllegalArgumentException("cpu " + cpu + " is not 0.." + (SET_BYTES * 8 - 1));
        }
        byte[] set = new byte[SET_BYTES];
        set[cpu / 8] = (byte) (1 << (cpu % 8));
        call(NATIVE.set(), "sched_setaffinity to CPU " + cpu, set);
    }

    /**
     * Calls {@code function(0, SET_BYTES, set)} for the calling thread with {@code set} as given,
     * and returns the set as the call left it.
     */
    private static byte[] call(MethodHandle function, String what, byte[] set) {
        requireAvailable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment segment = arena.allocate(SET_BYTES);
            MemorySegment.copy(set, 0, segment, ValueLayout.JAVA_BYTE, 0, SET_BYTES);
            int rc = (int) function.invokeExact(state, 0, (long) SET_BYTES, segment);
            if (rc != 0) {
                throw failed(what, state);
            }
            return segment.toArray(ValueLayout.JAVA_BYTE);
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(what + ": " + e, e);
        }
    }

    private static void requireAvailable() {
        if (NATIVE.unavailable() != null) {
            throw new IllegalStateException(NATIVE.unavailable());
        }
    }

    private static IllegalStateException failed(String call, MemorySegment state) {
        int errno = (int) NATIVE.errno().get(state, 0L);
        String name = switch (errno) {
            case 1 -> "EPERM, not permitted";
            case 3 -> "ESRCH, no such thread";
            case 22 -> "EINVAL, not a CPU this process may use";
            default -> "errno " + errno;
        };
        return new IllegalStateException(call + " failed: " + name);
    }
}
