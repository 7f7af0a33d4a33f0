#!/usr/bin/env bash
# Build, cache and install the mediasoup 3.12.x C++ worker against Debian bookworm's own libraries.
#
# Usage: bash scripts/mediasoup-worker.sh [--project DIR] [--rebuild]
#
#   --project DIR  project whose node_modules/mediasoup gets the worker (default: the repository
#                  root, i.e. the parent of this script's directory)
#   --rebuild      ignore (and replace) the cached binary
#
# Idempotent: with a cached binary a run takes about a second.
#
# Why this exists (see /work/shared/docs/mediasoup-worker.md): our machines reach only the npm
# registry and Debian's archive. mediasoup's own postinstall wants to download a prebuilt worker,
# pip-install meson/ninja and download its C++ dependencies as meson wraps -- all unreachable. So
# `npm ci` runs with MEDIASOUP_WORKER_BIN set (which makes the postinstall skip the worker) and this
# script builds the worker from the sources shipped in the npm package, with Debian's meson/ninja
# and Debian's libssl, libuv, libsrtp2, usrsctp, abseil and nlohmann-json instead of the wraps.
#
# The build takes minutes, so the binary is cached OUTSIDE the repository (npm ci wipes
# node_modules), keyed by the mediasoup version, the Debian library versions and RECIPE_VERSION:
#   ${TRAYPHONE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trayphone}/mediasoup-worker/<key>/mediasoup-worker
# and copied to node_modules/mediasoup/worker/out/Release/mediasoup-worker, the path mediasoup 3.12
# uses when MEDIASOUP_WORKER_BIN is not set. Every run ends with a real smoke test (start a
# Worker, create a Router with opus + VP8, open an AES-GCM SRTP session); a cached binary that
# fails it is rebuilt once. If MEDIASOUP_WORKER_BIN names an existing executable, nothing is done.
set -euo pipefail

# Bump whenever the build recipe below changes in a way that changes the binary: it is part of
# the cache key, so old cached binaries are then ignored.
RECIPE_VERSION=1

# Debian packages the build needs. The *-dev library packages also pull in the runtime shared
# libraries the binary links against.
LIB_PKGS=(libssl-dev libuv1-dev libsrtp2-dev libabsl-dev libusrsctp-dev)   # part of the cache key
TOOL_PKGS=(meson ninja-build pkg-config nlohmann-json3-dev build-essential python3)

log() { printf 'mediasoup-worker: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- arguments --------------------------------------------------------------------------------
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$(dirname "$script_dir")
force_rebuild=0
while [[ $# -gt 0 ]]; do
	case "$1" in
		--project) [[ $# -ge 2 ]] || die "--project needs a directory"; project=$2; shift 2 ;;
		--project=*) project=${1#--project=}; shift ;;
		--rebuild) force_rebuild=1; shift ;;
		--verify) shift ;; # verification always runs; accepted for compatibility
		-h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[[ -d $project ]] || die "project directory not found: $project"
project=$(cd "$project" && pwd)

ms_dir=$project/node_modules/mediasoup
installed_bin=$ms_dir/worker/out/Release/mediasoup-worker

# --- an explicitly configured worker wins -----------------------------------------------------
# mediasoup uses MEDIASOUP_WORKER_BIN before anything else, so if it names a real executable
# (e.g. a prebuilt worker on a machine with full internet) there is nothing for us to do.
if [[ -n ${MEDIASOUP_WORKER_BIN:-} ]]; then
	if [[ -f $MEDIASOUP_WORKER_BIN && -x $MEDIASOUP_WORKER_BIN ]]; then
		log "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is an executable; using it, nothing to do"
		exit 0
	fi
	# Typical leftover from `MEDIASOUP_WORKER_BIN=skip npm ci`. Carry on, but say that mediasoup
	# would use the bogus path at run time while the variable stays set.
	log "warning: MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable; ignoring it here," \
		"but unset it when running the app or mediasoup will try to start that path"
fi
if [[ ${MEDIASOUP_BUILDTYPE:-} == Debug ]]; then
	log "warning: MEDIASOUP_BUILDTYPE=Debug makes mediasoup look in worker/out/Debug; this script installs the Release worker"
fi

# --- mediasoup package ------------------------------------------------------------------------
[[ -f $ms_dir/package.json && -f $ms_dir/worker/meson.build ]] ||
	die "$ms_dir is missing or has no worker sources; run 'MEDIASOUP_WORKER_BIN=skip npm ci' first"
command -v node >/dev/null || die "node is not on PATH"
ms_version=$(node -p 'require(process.argv[1]).version' "$ms_dir/package.json")
# The shims below reproduce exactly the subprojects 3.12 uses. 3.13+ switched to flatbuffers 23+
# and libsrtp 3, which bookworm does not have, so fail early instead of after a confusing meson error.
[[ $ms_version == 3.12.* ]] ||
	die "mediasoup $ms_version is installed; this recipe only builds mediasoup 3.12.x"

# --- Debian packages --------------------------------------------------------------------------
# Installed version of a package, empty if not installed.
deb_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "ii" { print $2; exit }'
}
command -v dpkg-query >/dev/null || die "dpkg-query not found; this script targets Debian bookworm"
missing=()
for pkg in "${LIB_PKGS[@]}" "${TOOL_PKGS[@]}"; do
	[[ -n $(deb_version "$pkg") ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
	[[ $(id -u) -eq 0 ]] ||
		die "missing Debian packages: ${missing[*]} -- run: sudo apt-get install -y ${missing[*]}"
	log "installing missing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- cache key --------------------------------------------------------------------------------
# Human-readable description of everything that determines the binary; the directory name is the
# mediasoup version plus a short hash of it (Debian versions contain ':', '~' and '+').
key_text="mediasoup=$ms_version recipe=$RECIPE_VERSION arch=$(dpkg --print-architecture)"
for pkg in "${LIB_PKGS[@]}"; do
	key_text+=" $pkg=$(deb_version "$pkg")"
done
key="$ms_version-r$RECIPE_VERSION-$(printf '%s' "$key_text" | sha256sum | cut -c1-12)"
cache_root=${TRAYPHONE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trayphone}/mediasoup-worker
cache_dir=$cache_root/$key
cached_bin=$cache_dir/mediasoup-worker
mkdir -p "$cache_root"

# Serialise concurrent runs (parallel CI jobs sharing a cache) so they neither build twice nor
# copy a half-written binary. flock is in util-linux, so it is virtually always there.
if command -v flock >/dev/null; then
	exec 9>"$cache_root/.lock"
	flock 9
fi

# --- build ------------------------------------------------------------------------------------
# Writes the shim subproject for subproject($1) into directory $2. The worker's meson.build calls
# subproject() for each dependency and reads variables from it; these shims provide exactly those
# variables, backed by Debian's libraries (found with pkg-config) instead of vendored sources.
write_shim() {
	local name=$1 dir=$2
	mkdir -p "$dir"
	# The worker passes default_options to some subprojects; meson rejects options that the
	# subproject does not declare, so each shim declares them (their values are irrelevant).
	: >"$dir/meson_options.txt"
	# The *_lib variables are only link_whole'd into the libmediasoup-worker library target,
	# which is never built here; they still must exist, so they are empty static libraries.
	# (Meson 1.x warns that source-less targets will stop working, hence one trivial source.)
	printf 'typedef int trayphone_empty_shim;\n' | tee "$dir/empty.c" >"$dir/empty.cpp"
	case "$name" in
	openssl)
		cat >"$dir/meson.build" <<-'EOF'
			project('openssl-system', 'c')
			openssl_dep = dependency('openssl', version: '>= 3.0.0')
			libcrypto_dep = dependency('libcrypto')
			libssl_dep = dependency('libssl')
			libcrypto_lib = static_library('crypto_system_shim', 'empty.c')
			libssl_lib = static_library('ssl_system_shim', 'empty.c')
		EOF
		;;
	nlohmann_json)
		cat >"$dir/meson.build" <<-'EOF'
			project('nlohmann_json-system', 'cpp')
			nlohmann_json_dep = dependency('nlohmann_json', version: '>= 3.10.5')
		EOF
		;;
	libuv)
		cat >"$dir/meson.build" <<-'EOF'
			project('libuv-system', 'c')
			libuv_dep = dependency('libuv', version: '>= 1.44.0')
			libuv = static_library('uv_system_shim', 'empty.c')
		EOF
		cat >"$dir/meson_options.txt" <<-'EOF'
			option('build_tests', type: 'boolean', value: false)
			option('build_benchmarks', type: 'boolean', value: false)
		EOF
		;;
	libsrtp2)
		# Debian puts srtp.h in /usr/include/srtp2/ and its .pc file only adds /usr/include,
		# while the worker does #include <srtp.h>.
		cat >"$dir/meson.build" <<-'EOF'
			project('libsrtp2-system', 'c')
			srtp_sys = dependency('libsrtp2', version: '>= 2.4.0')
			libsrtp2_dep = declare_dependency(
			  dependencies: srtp_sys,
			  include_directories: include_directories(
			    srtp_sys.get_variable(pkgconfig: 'includedir') / 'srtp2', is_system: true),
			)
			libsrtp2 = static_library('srtp2_system_shim', 'empty.c')
		EOF
		cat >"$dir/meson_options.txt" <<-'EOF'
			option('crypto-library', type: 'combo', choices: ['none', 'openssl', 'nss', 'mbedtls'], value: 'openssl')
			option('crypto-library-kdf', type: 'feature', value: 'auto')
			option('tests', type: 'feature', value: 'disabled')
		EOF
		;;
	usrsctp)
		cat >"$dir/meson.build" <<-'EOF'
			project('usrsctp-system', 'c')
			usrsctp_dep = dependency('usrsctp')
			usrsctp = static_library('usrsctp_system_shim', 'empty.c')
		EOF
		cat >"$dir/meson_options.txt" <<-'EOF'
			option('sctp_build_programs', type: 'boolean', value: false)
		EOF
		;;
	abseil-cpp)
		# Covers every absl header the worker and its libwebrtc copy include
		# (container/{flat_hash_map,flat_hash_set,btree_*,inlined_vector}, memory,
		# strings/{match,string_view}, types/optional).
		cat >"$dir/meson.build" <<-'EOF'
			project('abseil-cpp-system', 'cpp')
			absl_container_dep = declare_dependency(dependencies: [
			  dependency('absl_flat_hash_map'),
			  dependency('absl_flat_hash_set'),
			  dependency('absl_btree'),
			  dependency('absl_inlined_vector'),
			  dependency('absl_memory'),
			])
			absl_strings_dep = dependency('absl_strings')
			absl_types_dep = declare_dependency(dependencies: [
			  dependency('absl_optional'),
			  dependency('absl_variant'),
			])
			absl_container_lib = static_library('absl_container_system_shim', 'empty.cpp')
		EOF
		;;
	catch2)
		# Only the worker's unit tests use Catch2 (v2); they are never built here, but
		# meson.build reads catch2_dep at configure time.
		cat >"$dir/meson.build" <<-'EOF'
			project('catch2-unused')
			catch2_dep = declare_dependency()
		EOF
		;;
	*) die "no shim for subproject '$name' (unexpected mediasoup worker layout)" ;;
	esac
}

# Builds the worker into $cached_bin. Everything happens in a scratch copy of the worker sources,
# so node_modules is never modified and a failed or interrupted build leaves nothing behind.
build_worker() {
	local work src bld build_log started
	work=$(mktemp -d "$cache_root/build.XXXXXX")
	# shellcheck disable=SC2064  # expand $work now
	trap "rm -rf '$work'" EXIT
	src=$work/worker bld=$work/build build_log=$work/build.log
	started=$SECONDS
	log "building mediasoup $ms_version worker against Debian libraries (takes a few minutes)..."

	mkdir -p "$src"
	# Skip out/ (a previous binary) and any downloaded wrap caches.
	tar -C "$ms_dir/worker" --exclude=./out --exclude=./subprojects/packagecache -cf - . | tar -C "$src" -xf -

	# 1. meson_version '>= 1.1.0' -> '>= 1.0.0': bookworm has meson 1.0.1, which builds it fine.
	sed -i -E "s/meson_version: *'>= *1\.1\.0'/meson_version: '>= 1.0.0'/" "$src/meson.build"
	! grep -qE "meson_version: *'>= *(1\.[1-9]|[2-9])" "$src/meson.build" ||
		die "the worker's meson.build asks for a newer meson than this recipe relaxes (layout changed?)"

	# 2. Replace every wrap with a shim directory named like the subproject. The .wrap files are
	#    removed so meson can neither try to download them nor use their [provide] entries to
	#    redirect the shims' own dependency('libuv') etc. lookups back into the subprojects.
	#    The names are read from the subproject() calls (either `x = subproject('name', ...` or
	#    `x = subproject(` with the name on the next line), so a layout change fails loudly in
	#    write_shim instead of silently.
	local name names
	names=$(sed -nE "s/^ *[a-z0-9_]+ *= *subproject\( *'([^']+)'.*/\1/p
		/^ *[a-z0-9_]+ *= *subproject\( *$/{n; s/^ *'([^']+)'.*/\1/p}" \
		"$src/meson.build" "$src/deps/libwebrtc/meson.build" | sort -u)
	[[ -n $names ]] || die "found no subproject() calls in the worker's meson.build (layout changed?)"
	for name in $names; do
		[[ $name == wingetopt ]] && continue # Windows only
		write_shim "$name" "$src/subprojects/$name"
	done
	rm -f "$src"/subprojects/*.wrap

	# 3. Configure like mediasoup's own Makefile does for Release, then build only the executable.
	if ! {
		meson setup --buildtype=release -Db_ndebug=true -Db_pie=true -Db_staticpic=true \
			--wrap-mode=nodownload "$bld" "$src" &&
			ninja -C "$bld" -j2 mediasoup-worker
	} >"$build_log" 2>&1; then
		log "build FAILED; last lines of $build_log:"
		tail -n 40 "$build_log" >&2
		# Keep the log for inspection; the scratch sources are removed.
		cp "$build_log" "$cache_root/last-build-failure.log"
		log "full log kept in $cache_root/last-build-failure.log"
		exit 1
	fi

	# Store atomically: a reader never sees a partial file.
	mkdir -p "$cache_dir"
	cp "$bld/mediasoup-worker" "$cached_bin.tmp.$$"
	mv -f "$cached_bin.tmp.$$" "$cached_bin"
	printf '%s\n' "$key_text" >"$cache_dir/key.txt"
	rm -rf "$work"
	trap - EXIT
	log "built in $((SECONDS - started))s ($(du -h "$cached_bin" | cut -f1)), cached in $cache_dir"
}

# Copies the cached binary to the path mediasoup looks in, unless an identical one is there.
install_worker() {
	if cmp -s "$cached_bin" "$installed_bin"; then
		return 0
	fi
	mkdir -p "$(dirname "$installed_bin")"
	# Copy + rename, so a running worker's file is replaced rather than overwritten in place.
	cp "$cached_bin" "$installed_bin.tmp.$$"
	chmod 755 "$installed_bin.tmp.$$"
	mv -f "$installed_bin.tmp.$$" "$installed_bin"
	log "installed $installed_bin"
}

# Smoke test through mediasoup's own API from the project directory, i.e. exactly how the app
# finds the worker (MEDIASOUP_WORKER_BIN/MEDIASOUP_BUILDTYPE unset so the default path is used).
verify_worker() {
	local out
	if out=$(ldd "$installed_bin" 2>&1 | grep 'not found'); then
		log "shared libraries missing for $installed_bin:"
		printf '%s\n' "$out" >&2
		return 1
	fi
	if ! out=$(cd "$project" && env -u MEDIASOUP_WORKER_BIN -u MEDIASOUP_BUILDTYPE \
		timeout 60 node --input-type=module -e "
			import * as ms from 'mediasoup';
			const w = await ms.createWorker({ logLevel: 'warn' });
			const r = await w.createRouter({ mediaCodecs: [
				{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
				{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
			] });
			// Also set up an SRTP session with AES-GCM: Debian's libsrtp2 uses NSS (not
			// OpenSSL) as its crypto backend, so make sure the GCM suites work with it.
			const t = await r.createPlainTransport({ listenIp: '127.0.0.1', enableSrtp: true,
				srtpCryptoSuite: 'AEAD_AES_256_GCM' });
			await t.connect({ ip: '127.0.0.1', port: 9, srtpParameters: {
				cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: Buffer.alloc(44, 7).toString('base64') } });
			console.log('mediasoup worker ok, pid', w.pid);
			w.close();
		" 2>&1); then
		log "verification failed:"
		printf '%s\n' "$out" | tail -n 20 >&2
		return 1
	fi
	log "$out"
}

# --- main -------------------------------------------------------------------------------------
if [[ $force_rebuild -eq 1 || ! -x $cached_bin ]]; then
	build_worker
	install_worker
	verify_worker || die "freshly built worker failed verification"
else
	install_worker
	if ! verify_worker; then
		log "cached worker $cached_bin failed verification; rebuilding once"
		rm -rf "$cache_dir"
		build_worker
		install_worker
		verify_worker || die "rebuilt worker failed verification"
	fi
fi
