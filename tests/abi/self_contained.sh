#!/bin/sh
# scheduler.so is one self-contained file: it exports only cliproxy_plugin_init and needs
# nothing at run time beyond glibc (libstdc++, libgcc and yaml-cpp are linked in).
# Usage: self_contained.sh path/to/scheduler.so
set -eu
so=$1
status=0

exports=$(nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }' | sort)
if [ "$exports" != "cliproxy_plugin_init" ]; then
  echo "FAIL: exported symbols must be exactly cliproxy_plugin_init, got:"
  echo "$exports"
  status=1
fi

needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ -z "$needed" ]; then
  echo "FAIL: readelf shows no NEEDED entries (not a dynamic object?)"
  status=1
fi
for lib in $needed; do
  case "$lib" in
    libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | ld-linux*.so.*) ;;
    *)
      echo "FAIL: needs $lib (only glibc libraries are allowed)"
      status=1
      ;;
  esac
done

[ $status -eq 0 ] && echo "ok: exports cliproxy_plugin_init only; needs $(echo $needed)"
exit $status
