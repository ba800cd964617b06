# shellcheck shell=bash
# Sourced by dicomlb's scripts: exports JAVA_HOME pointing at a JDK 25 or newer, or exits 1
# saying where it looked. The default `java` on a Debian 12 box is 17, so PATH alone is not enough.

_dicomlb_java_feature() {
  # Prints the feature release (25, 26, ...) of the JDK at $1, or nothing when it is not a JDK.
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -r "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "${v:-}" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  printf '%s' "${v:-}"
}

dicomlb_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64
               /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-25-openjdk-arm64)
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    v=$(_dicomlb_java_feature "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME=$c
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  {
    echo "dicomlb: no JDK 25 or newer found."
    echo "  looked at: JAVA_HOME=${JAVA_HOME:-<unset>}, /usr/lib/jvm/*, /opt/java/*, /opt/jdk*, ~/.sdkman"
    echo "  install one (e.g. Debian package temurin-25-jdk) or set JAVA_HOME to it."
  } >&2
  exit 1
}
