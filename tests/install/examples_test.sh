#!/usr/bin/env bash
# ctest install_examples (label install): installs the build into a temporary prefix, checks the
# installed headers (the library's only; none includes nlohmann/json.hpp, toml++ or httplib),
# then configures, builds and runs every examples/cpp project against that prefix with CMake
# (find_package(nabla)), and builds and runs examples/cpp/hessian with pkg-config (its Makefile).
#   bash tests/install/examples_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
fail() { echo "FAIL: $*" >&2; exit 1; }

# What is installed: programs, libraries, headers, the CMake package and pkg-config files.
for f in bin/nabla bin/nabla-serve include/nabla/nabla.h lib/cmake/nabla/nablaConfig.cmake \
         lib/cmake/nabla/nablaConfigVersion.cmake lib/cmake/nabla/nablaTargets.cmake \
         lib/pkgconfig/nabla.pc lib/pkgconfig/nabla-core.pc share/doc/nabla/copyright; do
  [ -e "$prefix/$f" ] || fail "$f is not installed"
done
[ -e "$prefix/include/nabla/demo" ] && fail "include/nabla/demo is installed (the course's headers are not the library's)"
[ -e "$prefix/include/nabla/serve" ] && fail "include/nabla/serve is installed (the playground's headers are not the library's)"
forbidden=$(grep -rlE '#[[:space:]]*include[[:space:]]*[<"](nlohmann/json\.hpp|toml\+\+/|httplib\.h)' "$prefix/include" || true)
[ -z "$forbidden" ] || fail "installed headers include nlohmann/json.hpp, toml++ or httplib: $forbidden"
"$prefix/bin/nabla" --version | grep -q '^nabla ' || fail "the installed nabla does not run"

# CMake: every example, against the prefix only.
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
for dir in "$src"/examples/cpp/*/; do
  name=$(basename "$dir")
  cmake -S "$dir" -B "$tmp/build-$name" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${launcher[@]}" >/dev/null || fail "configuring examples/cpp/$name"
  cmake --build "$tmp/build-$name" >/dev/null || fail "building examples/cpp/$name"
done
(cd "$tmp" && "$tmp/build-moons_mlp/moons_mlp" "$tmp/moons.safetensors") || fail "moons_mlp"
"$tmp/build-embed_model/embed_model" "$tmp/moons.safetensors" || fail "embed_model"
"$tmp/build-hessian/hessian" || fail "hessian (CMake)"

# pkg-config: the hessian example's Makefile, in a copy of it.
cp -r "$src/examples/cpp/hessian" "$tmp/pc-hessian"
rm -rf "$tmp/pc-hessian/build"
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" make -s -C "$tmp/pc-hessian" >/dev/null || fail "building hessian with pkg-config"
"$tmp/pc-hessian/hessian" || fail "hessian (pkg-config)"
echo "install_examples: every example built and ran against $prefix"
