# shellcheck shell=sh
# Sourced by both launchers (./dicomlb and the packaged bin/dicomlb, which is POSIX sh): the heap's
# initial and young-generation sizes for a maximum heap of $1 (DICOMLB_HEAP, as -Xmx takes it).
#
# A 24 MiB young generation in a 48 MiB initial heap. The young generation is what a proxy's
# short-lived garbage fills: at 60,000 http requests a second the serial collector's young
# collections, each a stop of about half a millisecond whatever the size, come every 110 ms with
# it instead of every 25 ms with the 5 MiB that a 16 MiB initial heap gives, for about 8% more
# requests a second in the benchmark. It costs about 16 MiB of resident memory at idle, because
# start-up touches the whole young generation (docs/operations.md#memory-and-throughput).
# A maximum below 96 MiB gets half of it initially and a quarter as young generation, so a small
# DICOMLB_HEAP keeps starting; below 16 MiB, and for what is not a size, the JVM sizes (and
# reports a bad -Xmx) itself.
dicomlb_heap_options() {
  _n=${1%[kKmMgGtT]}
  _unit=${1#"$_n"}
  case $_n in
    '' | *[!0-9]*) return 0 ;;
  esac
  # Leading zeros would make the shell read octal; a size has none that matter.
  while :; do
    case $_n in
      0?*) _n=${_n#0} ;;
      *) break ;;
    esac
  done
  case $_unit in
    k | K) _mib=$((_n / 1024)) ;;
    m | M) _mib=$_n ;;
    g | G) _mib=$((_n * 1024)) ;;
    t | T) _mib=$((_n * 1024 * 1024)) ;;
    *) _mib=$((_n / 1048576)) ;;
  esac
  if [ "$_mib" -ge 96 ]; then
    printf '%s\n' "-Xms48m -Xmn24m"
  elif [ "$_mib" -ge 16 ]; then
    printf '%s\n' "-Xms$((_mib / 2))m -Xmn$((_mib / 4))m"
  fi
}
