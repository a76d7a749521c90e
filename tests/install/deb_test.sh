#!/usr/bin/env bash
# ctest deb_package (label install): builds the Debian package with CPack from the build directory
# and checks it: its name (nabla_<version>_amd64.deb), its dependencies (from dpkg-shlibdeps and
# the hand-written ones; libopenmpi3 in a build with MPI) and that it holds the programs, headers,
# CMake package, pkg-config file, the Python module in /usr/lib/python3/dist-packages and the licence.
#   bash tests/install/deb_test.sh BUILD_DIR VERSION PYTHON [OUT_DIR]
# PYTHON: ON when the build has the Python module (NABLA_BUILD_PYTHON); OUT_DIR: keep the .deb there.
set -euo pipefail
build=$(cd "$1" && pwd)
version=$2
python=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${4:-$tmp}
mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
(cd "$build" && cpack -G DEB -B "$tmp/cpack" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$tmp/cpack/nabla_${version}_amd64.deb
[ -f "$deb" ] || fail "no nabla_${version}_amd64.deb: $(ls "$tmp/cpack")"
dpkg-deb -I "$deb" > "$tmp/info"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$tmp/files"
grep -q "^ Package: nabla$" "$tmp/info" || fail "Package is not nabla"
grep -q "^ Version: ${version}$" "$tmp/info" || fail "Version is not ${version}"
grep -q "^ Architecture: amd64$" "$tmp/info" || fail "Architecture is not amd64"
depends=$(sed -n 's/^ Depends: //p' "$tmp/info")
# libc6 and libstdc++6 come from dpkg-shlibdeps; the rest are named by CMakeLists.txt.
deps=(libc6 libstdc++6 libpng16-16 libgif7 libtomlplusplus3 libopenblas0 nlohmann-json3-dev)
[ "$python" = ON ] && deps+=(python3 python3-numpy)
# A build with MPI (nabla_distributed: the CLI's `mpirun -np N nabla train`, nabla.distributed)
# links the programs and the module to OpenMPI; dpkg-shlibdeps names its runtime, Debian 12's
# libopenmpi3 (mpirun itself, openmpi-bin, is recommended).
if readelf -d "$build/nabla" | grep -q 'NEEDED.*libmpi'; then
  deps+=(libopenmpi3)
  sed -n 's/^ Recommends: //p' "$tmp/info" | tr ',' '\n' | awk '{print $1}' | grep -qxF openmpi-bin ||
    fail "Recommends lacks openmpi-bin (the programs link MPI)"
fi
for dep in "${deps[@]}"; do
  echo "$depends" | tr ',|' '\n\n' | awk '{print $1}' | grep -qxF "$dep" || fail "Depends lacks $dep: $depends"
done
files=(/usr/bin/nabla /usr/bin/nabla-serve /usr/include/nabla/nabla.h /usr/lib/cmake/nabla/nablaConfig.cmake
       /usr/lib/pkgconfig/nabla.pc /usr/lib/libnabla_core.a /usr/share/doc/nabla/copyright)
[ "$python" = ON ] && files+=(/usr/lib/python3/dist-packages/nabla/__init__.py /usr/lib/python3/dist-packages/nabla/bin/nabla)
for f in "${files[@]}"; do
  grep -qx "$f" "$tmp/files" || fail "the package lacks $f"
done
if [ "$python" = ON ]; then
  grep -qE '^/usr/lib/python3/dist-packages/nabla/_C.*\.so$' "$tmp/files" || fail "the package lacks the extension nabla/_C*.so"
fi
grep -qE '^/usr/include/nabla/(demo|serve)/' "$tmp/files" && fail "the package holds the course's or playground's headers"
grep -qE '^/usr/local/' "$tmp/files" && fail "the package installs into /usr/local"
[ "$out" != "$tmp" ] && cp "$deb" "$out/"
echo "deb_package: $(basename "$deb"), Depends: $depends"
