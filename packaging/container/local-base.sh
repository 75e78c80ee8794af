#!/bin/sh
# Builds a container base image from this machine's own JDK, for building and testing floorflash's image where no
# registry is reachable (README.md, "Containers and Kubernetes"): a JRE made by jlink with the modules floorflash
# uses, the glibc libraries it links against (found with ldd), CA certificates and a passwd entry for the
# unprivileged user 65532, on an empty image. Writes a docker-archive tarball that Jib reads as a base image:
#   packaging/container/local-base.sh server/target/local-base.tar
#   mvn -Pimage -Dimage.base=tar://$PWD/server/target/local-base.tar -pl server -am package
# Needs: a JDK 17 with jmods (Debian: openjdk-17-jdk), podman (to write the archive), tar, ldd.
set -eu
out=${1:?usage: local-base.sh OUT.tar}
jdk=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
modules=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.jfr,jdk.management,jdk.unsupported,jdk.crypto.ec
name=localhost/floorflash-base:17-local
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs/opt" "$rootfs/etc/ssl/certs" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
    --output "$rootfs/opt/java"
# Every library the JRE's binaries and shared objects load, with the loader itself, at the same paths.
find "$rootfs/opt/java" -type f \( -name '*.so' -o -perm -u+x \) -exec ldd {} \; 2>/dev/null \
    | grep -o '/[^ ]*' | sort -u | while read -r lib; do
        [ -e "$lib" ] || continue
        mkdir -p "$rootfs$(dirname "$lib")"
        cp -L "$lib" "$rootfs$lib"
    done
# The JDK resolves host names through NSS (files and DNS); Netty's native transports, extracted from the jar at
# run time, load libdl and libpthread (stubs in glibc 2.34+, still linked by name).
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 \
           /lib/x86_64-linux-gnu/libresolv.so.2 /lib/x86_64-linux-gnu/libdl.so.2 \
           /lib/x86_64-linux-gnu/libpthread.so.0 /lib/x86_64-linux-gnu/librt.so.1 /lib/x86_64-linux-gnu/libm.so.6; do
    [ -e "$lib" ] && mkdir -p "$rootfs$(dirname "$lib")" && cp -L "$lib" "$rootfs$lib"
done
[ -e /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nfloorflash:x:65532:65532:floorflash:/nonexistent:/sbin/nologin\n' \
    > "$rootfs/etc/passwd"
printf 'root:x:0:\nfloorflash:x:65532:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
podman import --change 'ENV PATH=/opt/java/bin:/usr/bin:/bin' --change 'ENV JAVA_HOME=/opt/java' \
    "$work/rootfs.tar" "$name" >/dev/null
rm -f "$out"
podman save --format docker-archive -o "$out" "$name"
echo "$out: $name ($(du -h "$out" | cut -f1))"
