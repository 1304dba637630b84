/**
 * @module `npm run release:artifacts`: the UI extension packed the way Argo CD users install
 * extensions, for a release page.
 *
 * - `extension-greenlight-<version>.tar.gz` holds `resources/extension-greenlight.js/extension-greenlight.js`.
 *   argocd-extension-installer (an init container on argocd-server, and what argo-helm's
 *   `server.extensions.extensionList` runs) unpacks it and copies `resources/*` into
 *   `/tmp/extensions/resources/`; Argo CD loads every `extension*.js` below `/tmp/extensions`.
 *   The directory is named like the bundle because the installer finds an extension's directory
 *   by `extension*-<EXTENSION_NAME>*.js` to put its `EXTENSION_JS_VARS` file there.
 * - `extension-greenlight-<version>_checksums.txt`: one `<sha256>  <file name>` line, which the
 *   installer greps for the basename of EXTENSION_URL (EXTENSION_CHECKSUM_URL).
 *
 * The archive is the same bytes for the same bundle: entries sorted, fixed mtime, no owner.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create as createTar } from 'tar';

export const EXTENSION_NAME = 'greenlight';
export const BUNDLE_FILE = `extension-${EXTENSION_NAME}.js`;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ReleaseArtifacts {
  readonly version: string;
  readonly tarball: string;
  readonly checksums: string;
  readonly sha256: string;
}

/** The version in package.json, which the manifests' image tags and the CHANGELOG follow. */
export function packageVersion(root = ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`${join(root, 'package.json')} has no version`);
  return pkg.version;
}

/** Packs the built bundle (ui-extension/dist) into `outDir`; builds nothing. */
export async function writeReleaseArtifacts(options: { outDir: string; root?: string; version?: string }): Promise<ReleaseArtifacts> {
  const root = options.root ?? ROOT;
  const version = options.version ?? packageVersion(root);
  const bundle = join(root, 'ui-extension', 'dist', BUNDLE_FILE);
  if (!existsSync(bundle)) throw new Error(`${bundle} does not exist: build the UI extension first (npm run build:ui; npm run release:artifacts does)`);

  const stage = mkdtempSync(join(tmpdir(), 'greenlight-release-'));
  try {
    const dir = join('resources', BUNDLE_FILE);
    mkdirSync(join(stage, dir), { recursive: true });
    copyFileSync(bundle, join(stage, dir, BUNDLE_FILE));
    mkdirSync(options.outDir, { recursive: true });
    const tarball = join(options.outDir, `extension-${EXTENSION_NAME}-${version}.tar.gz`);
    await createTar(
      { gzip: { level: 9 }, file: tarball, cwd: stage, portable: true, noDirRecurse: true, mtime: new Date('2000-01-01T00:00:00Z') },
      ['resources/', `${dir}/`, `${dir}/${BUNDLE_FILE}`],
    );
    const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
    const checksums = join(options.outDir, `extension-${EXTENSION_NAME}-${version}_checksums.txt`);
    // sha256sum's format: the hash, two spaces, the file name.
    writeFileSync(checksums, `${sha256}  ${basename(tarball)}\n`);
    return { version, tarball, checksums, sha256 };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const outDir = resolve((at >= 0 ? args[at + 1] : undefined) ?? join(ROOT, 'dist', 'release'));
  const artifacts = await writeReleaseArtifacts({ outDir });
  process.stdout.write(
    `${artifacts.tarball}\n${artifacts.checksums}\n` +
      `sha256 ${artifacts.sha256}\n` +
      `Upload both to the v${artifacts.version} release; EXTENSION_URL and EXTENSION_CHECKSUM_URL are their download URLs (docs/install.md).\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`release:artifacts: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
