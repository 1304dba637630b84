/**
 * The release artifacts of the UI extension, installed the way argocd-extension-installer
 * installs them (download from EXTENSION_URL, the sha256 line for the URL's basename from
 * EXTENSION_CHECKSUM_URL, unpack, copy `resources/*` into /tmp/extensions/resources), served
 * over HTTP on 127.0.0.1, with curl, sha256sum and tar as the installer's image has them. Then
 * Argo CD's own rule finds the bundle: every `extension*.js` file below the extensions directory.
 */
import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, packageVersion, writeReleaseArtifacts, type ReleaseArtifacts } from '../../scripts/release-artifacts.js';
import { REPO_ROOT } from '../support/service-process.js';

/** The installer's steps (argocd-extension-installer install.sh), written out for a test directory. */
const INSTALL = `
set -eu
ext_filename=$(basename -- "$EXTENSION_URL")
download_dir=$(mktemp -d)
ext_file="$download_dir/$ext_filename"
curl -sSLf --max-time 30 "$EXTENSION_URL" -o "$ext_file"
if [ -n "\${EXTENSION_CHECKSUM_URL:-}" ]; then
  expected_sha=$(curl -sSLf "$EXTENSION_CHECKSUM_URL" | grep "$ext_filename" | awk '{print $1;}')
  current_sha=$(sha256sum "$ext_file" | awk '{print $1;}')
  if [ "$expected_sha" != "$current_sha" ]; then
    echo "ERROR: extension checksum mismatch (expected: $expected_sha, current: $current_sha)"
    exit 1
  fi
fi
cd "$download_dir"
tar -zxf "$ext_filename"
mkdir -p "$EXTENSIONS_DIR/resources"
cp -Rf resources/* "$EXTENSIONS_DIR/resources/"
find "$EXTENSIONS_DIR/resources" -type d -name "extension*-$EXTENSION_NAME*.js" | head -n 1
rm -rf "$download_dir"
`;

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { PATH: process.env['PATH'] ?? '', ...env } }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`${file} could not run (${err.message}): the release test needs sh, curl, sha256sum and tar, as argocd-extension-installer has them`));
        return;
      }
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

/** Every file below `dir` whose name Argo CD loads as an extension (`^extension(.*)\.js$`). */
function extensionFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^extension(.*)\.js$/.test(name)) found.push(relative(dir, p));
    }
  };
  walk(dir);
  return found;
}

let dir: string;
let artifacts: ReleaseArtifacts;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gl-release-'));
  artifacts = await writeReleaseArtifacts({ outDir: join(dir, 'out') });
  server = createServer((req, res) => {
    const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const path = join(dir, 'out', name);
    try {
      statSync(path);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases/download/v${artifacts.version}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run release:artifacts', () => {
  it('names the files after the package version, with one sha256sum line for the tarball', () => {
    expect(artifacts.version).toBe(packageVersion());
    expect(basename(artifacts.tarball)).toBe(`extension-greenlight-${artifacts.version}.tar.gz`);
    expect(basename(artifacts.checksums)).toBe(`extension-greenlight-${artifacts.version}_checksums.txt`);
    expect(readFileSync(artifacts.checksums, 'utf8')).toBe(`${artifacts.sha256}  extension-greenlight-${artifacts.version}.tar.gz\n`);
    // gzip (the installer tells tar from tar.gz by MIME type).
    expect([...readFileSync(artifacts.tarball).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  });

  it('packs resources/<extension dir>/extension-greenlight.js and nothing else', async () => {
    const listing = await run('tar', ['-tzf', artifacts.tarball]);
    expect(listing.code).toBe(0);
    expect(listing.stdout.trim().split('\n')).toEqual(['resources/', `resources/${BUNDLE_FILE}/`, `resources/${BUNDLE_FILE}/${BUNDLE_FILE}`]);
  });

  it('packs the same bytes again from the same bundle', async () => {
    const again = await writeReleaseArtifacts({ outDir: join(dir, 'again') });
    expect(again.sha256).toBe(artifacts.sha256);
  });

  it('installs as argocd-extension-installer installs it, and Argo CD then loads exactly the bundle', async () => {
    const extensions = mkdtempSync(join(dir, 'extensions-'));
    const installed = await run('sh', ['-c', INSTALL], {
      EXTENSION_URL: `${baseUrl}/${basename(artifacts.tarball)}`,
      EXTENSION_CHECKSUM_URL: `${baseUrl}/${basename(artifacts.checksums)}`,
      EXTENSION_NAME: 'greenlight',
      EXTENSIONS_DIR: extensions,
    });
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    // The directory the installer puts EXTENSION_JS_VARS into is found.
    expect(installed.stdout.trim()).toBe(join(extensions, 'resources', BUNDLE_FILE));
    expect(extensionFiles(extensions)).toEqual([join('resources', BUNDLE_FILE, BUNDLE_FILE)]);
    expect(readFileSync(join(extensions, 'resources', BUNDLE_FILE, BUNDLE_FILE))).toEqual(readFileSync(join(REPO_ROOT, 'ui-extension', 'dist', BUNDLE_FILE)));
  });

  it('is refused by the installer when the tarball does not match its checksum line', async () => {
    const tampered = readFileSync(artifacts.tarball);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'out', 'tampered.tar.gz'), tampered);
    writeFileSync(join(dir, 'out', 'tampered_checksums.txt'), readFileSync(artifacts.checksums, 'utf8').replace(basename(artifacts.tarball), 'tampered.tar.gz'));
    const extensions = mkdtempSync(join(dir, 'extensions-'));
    const refused = await run('sh', ['-c', INSTALL], {
      EXTENSION_URL: `${baseUrl}/tampered.tar.gz`,
      EXTENSION_CHECKSUM_URL: `${baseUrl}/tampered_checksums.txt`,
      EXTENSION_NAME: 'greenlight',
      EXTENSIONS_DIR: extensions,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('ERROR: extension checksum mismatch');
    expect(extensionFiles(extensions)).toEqual([]);
  });
});
