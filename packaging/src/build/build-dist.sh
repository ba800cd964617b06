#!/usr/bin/env bash
# Builds dicomlb's distribution from the jars Maven collected: a jlink runtime image with the JDK
# modules the jars need (found by jdeps), the launcher, bash completion, the example config and
# the systemd unit, an AOT cache trained on this very tree, then
#   OUT/dicomlb-VERSION-linux-x86_64.tar.gz   and   OUT/dicomlb_DEBVERSION_amd64.deb (dpkg-deb).
# Run by the packaging module's Maven build (package phase); scripts/package is the user's entry.
#
# usage: build-dist.sh VERSION LIB_DIR OUT_DIR TRAINING_CLASSPATH
# env:   DICOMLB_PACKAGE_AOT=0 builds without the AOT cache (for measurements);
#        SOURCE_DATE_EPOCH fixes every file's time (default: the last commit's).
set -euo pipefail

version=$1 lib_in=$2 out=$3 training_cp=$4
module_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
repo=$(cd "$module_dir/.." && pwd)
src=$module_dir/src
# shellcheck source=../../../scripts/lib/jdk.sh
source "$repo/scripts/lib/jdk.sh"
dicomlb_find_jdk

for tool in dpkg-deb dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "build-dist: $tool is missing (Debian package dpkg-dev); run scripts/install-test-deps.sh" >&2
    exit 1
  fi
done

# Debian versions sort "~" before anything: 0.1.0~SNAPSHOT comes before the 0.1.0 release.
deb_version=${version//-/\~}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
work=$out/dist-work
root=$work/root
home=$root/usr/lib/dicomlb
rm -rf "$work" "$out"/dicomlb-*.tar.gz "$out"/dicomlb_*.deb
mkdir -p "$home/bin" "$home/lib" "$root/usr/bin" "$root/etc/dicomlb" "$root/lib/systemd/system" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/doc/dicomlb/examples" "$work/training"
t_start=$(date +%s)

# 1. The jars, dicomlb's own command first, the rest by name: the order is part of what the AOT
#    cache checks, so the launcher lists them explicitly instead of a wildcard.
main_jar=$(cd "$lib_in" && ls lb-admin-cli-*.jar)
jars=("$main_jar")
while IFS= read -r j; do jars+=("$j"); done < <(cd "$lib_in" && ls -1 ./*.jar | sed 's|^\./||' | grep -v '^lb-admin-cli-' | LC_ALL=C sort)
classpath=
for j in "${jars[@]}"; do
  cp "$lib_in/$j" "$home/lib/$j"
  classpath=${classpath:+$classpath:}\$lib/$j
done

# 2. The JDK modules: what jdeps finds the jars reference (jlink adds what those require), less
#    java.desktop: only code dicomlb never runs refers to it (snakeyaml's JavaBean introspection,
#    Micrometer's Log4j2 binder, Jackson's optional @ConstructorProperties support, which it
#    loads only if present), and it would bring AWT's native libraries and with them X11 and
#    ALSA into the package's dependencies. The training run and the package test prove the rest
#    is enough: every command and path runs on this image.
found=$(cd "$home/lib" && "$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "${jars[@]}" | tail -n 1)
if ! [[ $found =~ ^[a-z.,]+$ ]]; then
  echo "build-dist: jdeps did not print a module list: $found" >&2
  exit 1
fi
modules=$(tr ',' '\n' <<<"$found" | grep -vx 'java.desktop' | paste -sd, -)
echo "build-dist: JDK modules: $modules (jdeps: $found)"

# 3. The runtime image, cached per JDK and module list (it takes a while and rarely changes).
jlink_opts=(--strip-debug --no-man-pages --no-header-files)
key=$( { "$JAVA_HOME/bin/java" -version 2>&1; echo "$modules ${jlink_opts[*]} stripped"; } | sha256sum | cut -c1-16)
cached=$out/jlink-cache/$key
if [ ! -x "$cached/bin/java" ]; then
  rm -rf "$cached" "$cached.tmp"
  mkdir -p "$out/jlink-cache"
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" "${jlink_opts[@]}" --output "$cached.tmp"
  # Stripped as dh_strip does (the symbol tables only name native frames in a crash report), and
  # the notices readable like every other file.
  while IFS= read -r f; do
    if head -c 4 "$f" | grep -q ELF; then
      case $f in
        *.so) strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f" ;;
        *) strip --remove-section=.comment --remove-section=.note "$f" ;;
      esac
    fi
  done < <(find "$cached.tmp" -type f \( -name '*.so' -o -perm -u+x \))
  chmod -R u+w,go-w,a+rX "$cached.tmp"
  find "$cached.tmp/legal" -type f -exec chmod 644 {} +
  mv "$cached.tmp" "$cached"
fi
cp -a "$cached" "$home/runtime"
t_runtime=$(date +%s)

# 4. Launcher, config, unit, docs.
sed "s|@CLASSPATH@|$classpath|" "$src/dist/bin/dicomlb" > "$home/bin/dicomlb"
chmod 755 "$home/bin/dicomlb"
install -m 644 "$repo/scripts/lib/heap.sh" "$home/lib/heap.sh"
ln -s ../lib/dicomlb/bin/dicomlb "$root/usr/bin/dicomlb"
install -m 644 "$src/dist/etc/dicomlb.yaml" "$root/etc/dicomlb/dicomlb.yaml"
install -m 644 "$src/dist/systemd/dicomlb.service" "$root/lib/systemd/system/dicomlb.service"
install -m 644 "$src/dist/systemd/vip.conf" "$root/usr/share/doc/dicomlb/examples/vip.conf"
install -m 644 "$src/dist/systemd/l4.conf" "$root/usr/share/doc/dicomlb/examples/l4.conf"
install -m 644 "$src/dist/README.Debian" "$root/usr/share/doc/dicomlb/README.Debian"
install -m 644 "$src/deb/copyright" "$root/usr/share/doc/dicomlb/copyright"
install -D -m 644 "$src/deb/lintian-overrides" "$root/usr/share/lintian/overrides/dicomlb"
sed -e "s|@DEB_VERSION@|$deb_version|" -e "s|@DATE_RFC2822@|$(LC_ALL=C date -u -R -d "@$epoch")|" "$src/deb/changelog" \
  | gzip -9n > "$root/usr/share/doc/dicomlb/changelog.gz"
chmod 644 "$root/usr/share/doc/dicomlb/changelog.gz"

# 5. Bash completion from the command's own model (picocli), run on the bundled runtime: the
#    first proof that the image and the class path work.
real_cp=$(printf "$home/lib/%s:" "${jars[@]}")
"$home/runtime/bin/java" -cp "${real_cp%:}" picocli.AutoComplete --force --name dicomlb \
  --completionScript "$work/completion.bash" org.dicomlb.cli.DicomlbCommand
# picocli writes a script to source; bash-completion loads it by name, no shebang or exec bit needed.
sed '1{/^#!/d}' "$work/completion.bash" > "$root/usr/share/bash-completion/completions/dicomlb"
chmod 644 "$root/usr/share/bash-completion/completions/dicomlb"
"$home/bin/dicomlb" --version
DICOMLB_AOT=0 "$home/bin/dicomlb" validate -c "$root/etc/dicomlb/dicomlb.yaml"

# 6. One time for every file: reproducible archives, and the AOT cache records the jars' times,
#    which dpkg and tar restore on the target exactly.
find "$root" -exec touch -h -d "@$epoch" {} +

# 7. AOT cache: a training run of the packaged launcher against simulated backends.
if [ "${DICOMLB_PACKAGE_AOT:-1}" != 0 ]; then
  "$JAVA_HOME/bin/java" -cp "$training_cp" org.dicomlb.packaging.training.TrainingRun \
    "$home/bin/dicomlb" "$home/lib/dicomlb.aot" "$work/training"
  chmod 644 "$home/lib/dicomlb.aot"
  touch -d "@$epoch" "$home/lib/dicomlb.aot" "$home/lib"
  # The cache must load for the installed tree, or it is dead weight: fail the build instead.
  DICOMLB_JAVA_OPTS=-XX:AOTMode=on "$home/bin/dicomlb" --version >/dev/null
fi
t_aot=$(date +%s)

# 8. The .deb: control files, checksums, dpkg-deb.
mkdir -p "$root/DEBIAN"
shlib_dir=$work/shlibdeps
mkdir -p "$shlib_dir/debian"
printf 'Source: dicomlb\n\nPackage: dicomlb\nArchitecture: amd64\n' > "$shlib_dir/debian/control"
mapfile -t elf < <(find "$home/runtime" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec sh -c 'head -c 4 "$1" | grep -q ELF' _ {} \; -print)
shlibs=$(cd "$shlib_dir" && dpkg-shlibdeps -O -l"$home/runtime/lib" -l"$home/runtime/lib/server" "${elf[@]/#/-e}" 2>/dev/null \
  | sed -n 's/^shlibs:Depends=//p')
installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@DEB_VERSION@|$deb_version|" -e "s|@INSTALLED_SIZE@|$installed_kib|" -e "s|@SHLIB_DEPENDS@|$shlibs|" \
  "$src/deb/control" > "$root/DEBIAN/control"
install -m 644 "$src/deb/conffiles" "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 755 "$src/deb/$s" "$root/DEBIAN/$s"; done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/md5sums"
touch -d "@$epoch" "$root/DEBIAN" "$root/DEBIAN"/*
deb=$out/dicomlb_${deb_version}_amd64.deb
# gzip: about 6 s here against 60-90 s for xz, for a package a quarter larger; bookworm's
# lintian refuses zstd members as malformed (docs/packaging.md).
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zgzip -z6 --build "$root" "$deb" >/dev/null
t_deb=$(date +%s)

# 9. The tarball: the same tree as /usr/lib/dicomlb, plus what the .deb puts elsewhere.
top=dicomlb-$version
tree=$work/tar/$top
mkdir -p "$tree/etc" "$tree/systemd" "$tree/share"
cp -a "$home/bin" "$home/lib" "$home/runtime" "$tree/"
cp -a "$root/etc/dicomlb/dicomlb.yaml" "$tree/etc/dicomlb.yaml"
cp -a "$root/lib/systemd/system/dicomlb.service" "$src/dist/systemd/vip.conf" "$src/dist/systemd/l4.conf" "$tree/systemd/"
cp -a "$root/usr/share/bash-completion" "$tree/share/"
cp -a "$src/dist/README.Debian" "$tree/README"
touch -d "@$epoch" "$tree/systemd/vip.conf" "$tree/systemd/l4.conf" "$tree/README" "$tree" "$tree/etc" "$tree/systemd" "$tree/share"
tarball=$out/$top-linux-x86_64.tar.gz
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$top" | gzip -6n > "$tarball"
t_end=$(date +%s)

echo "build-dist: $(basename "$deb") $(du -h "$deb" | cut -f1), $(basename "$tarball") $(du -h "$tarball" | cut -f1)," \
  "installed $((installed_kib / 1024)) MiB; runtime $((t_runtime - t_start)) s, AOT training $((t_aot - t_runtime)) s," \
  ".deb $((t_deb - t_aot)) s, tarball $((t_end - t_deb)) s"
