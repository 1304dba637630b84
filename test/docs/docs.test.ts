/**
 * The docs, held to what they say. Every fenced `sh` block of README.md and docs/*.md runs, as
 * written, against the demo fleet, unless its first line says what it needs that a laptop does
 * not have:
 *
 *     ```sh
 *     # needs: cluster        (a Kubernetes cluster with Argo CD: kubectl, argocd, --apply)
 *     # needs: aws            (AWS credentials: aws, register, live facts)
 *     # needs: cluster, aws   (both)
 *
 * How a block runs: `sh -e`, in a scratch directory that mirrors the checkout (new files land
 * there), with no kubeconfig and no AWS credentials (an unmarked command that needs either fails
 * here, harmlessly), `npx greenlight` and `npm run greenlight --` as `node bin/greenlight.js`,
 * `npm start` as the service this test starts (`npm ci` / `npm install` as done, `npm test` as
 * the suite this test is part of), `http://127.0.0.1:4355` pointed at that service, and curl
 * failing on an HTTP error. A block that exits non-zero fails the test with its output. Marked
 * blocks are still parsed (`sh -n`), and YAML blocks must parse.
 *
 * Links: every relative link resolves to a file in the repository, nothing points outside it,
 * every URL is either checked to exist (the list below) or clearly a placeholder, and every
 * in-cluster URL of greenlight names the namespace the manifests install into.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PATIENCE_MS } from '../support/patience.js';
import { REPO_ROOT, startService, type ServiceProcess } from '../support/service-process.js';

const DOCS = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** Markdown whose links are checked (the runnable blocks are only in DOCS). */
const LINKED = [...DOCS, 'CONTRIBUTING.md', 'CHANGELOG.md'];
const NEEDS = new Set(['cluster', 'aws']);
const DEMO_URL = /http:\/\/(?:127\.0\.0\.1|localhost):4355/g;

interface Block {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  readonly needs: readonly string[];
}

/** The fenced code blocks of a Markdown file, with their info string's language and start line. */
function fencedBlocks(file: string): Block[] {
  const lines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  let open: { fence: string; lang: string; line: number; body: string[] } | undefined;
  lines.forEach((raw, i) => {
    const fence = /^\s*(`{3,}|~{3,})\s*([^\s`]*)/.exec(raw);
    if (!open) {
      if (fence) open = { fence: fence[1] as string, lang: fence[2] ?? '', line: i + 1, body: [] };
      return;
    }
    if (fence && (fence[1] as string).startsWith(open.fence) && (fence[2] ?? '') === '') {
      const text = open.body.join('\n');
      const marker = /^#\s*needs:\s*(.*)$/.exec(open.body[0]?.trim() ?? '');
      const needs = marker ? (marker[1] ?? '').split(/[\s,]+/).filter((n) => n !== '') : [];
      blocks.push({ file, line: open.line, lang: open.lang, text, needs });
      open = undefined;
      return;
    }
    open.body.push(raw);
  });
  if (open) throw new Error(`${file}:${open.line}: a fenced block is never closed`);
  return blocks;
}

const shellBlocks = DOCS.flatMap(fencedBlocks).filter((b) => ['sh', 'bash', 'shell', 'console'].includes(b.lang));
const runnable = shellBlocks.filter((b) => b.needs.length === 0);
const needsService = runnable.some((b) => DEMO_URL.test(b.text) || /\bnpm start\b/.test(b.text));

/** Shell functions that stand in for the parts of a laptop the test provides itself. */
const PRELUDE = `
npx() { if [ "$1" = greenlight ]; then shift; node "$GL_REPO/bin/greenlight.js" "$@"; else command npx "$@"; fi; }
npm() {
  case "$1" in
    ci|install) echo "(docs test: dependencies are installed)";;
    start) command curl -sSf "$GL_SERVICE/healthz" >/dev/null && echo "(docs test: the service runs at $GL_SERVICE)";;
    test) echo "(docs test: this is part of npm test)";;
    run) if [ "$2" = greenlight ]; then shift 2; [ "$1" = -- ] && shift; node "$GL_REPO/bin/greenlight.js" "$@"; else command npm "$@"; fi;;
    *) command npm "$@";;
  esac
}
curl() { command curl --fail-with-body "$@"; }
`;

function sh(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise) => {
    execFile('sh', args, { cwd, env, timeout: PATIENCE_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolvePromise({ code, output: `${stdout}${stderr}` });
    });
  });
}

let service: ServiceProcess | undefined;
let scratch: string;
let env: Record<string, string>;

beforeAll(async () => {
  // A directory that looks like the checkout (relative paths work) but keeps what commands write.
  scratch = mkdtempSync(join(tmpdir(), 'gl-docs-'));
  for (const entry of readdirSync(REPO_ROOT)) {
    if (entry !== '.git') symlinkSync(join(REPO_ROOT, entry), join(scratch, entry));
  }
  if (needsService) service = await startService({ env: { GREENLIGHT_INVENTORY: 'demo' } });
  env = {
    PATH: process.env['PATH'] ?? '',
    HOME: scratch,
    LANG: 'C.UTF-8',
    GL_REPO: REPO_ROOT,
    GL_SERVICE: service?.url ?? 'http://127.0.0.1:9',
    // Nothing of the developer's real clusters or accounts can be reached from a docs block.
    KUBECONFIG: join(scratch, 'no-kubeconfig'),
    AWS_CONFIG_FILE: join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  };
});

afterAll(async () => {
  await service?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('shell blocks in README.md and docs/', () => {
  it('are found, and every "# needs:" marker names what a laptop lacks', () => {
    expect(runnable.length).toBeGreaterThan(0);
    for (const b of shellBlocks) {
      for (const need of b.needs) expect(NEEDS, `${b.file}:${b.line} "# needs: ${b.needs.join(', ')}"`).toContain(need);
    }
  });

  it.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs on a laptop against the demo fleet', async (_where, block) => {
    const script = `${PRELUDE}\n${block.text.replace(DEMO_URL, service?.url ?? 'http://127.0.0.1:9')}\n`;
    const { code, output } = await sh(['-ec', script], scratch, env);
    expect(code, `${block.file}:${block.line} exited ${code}:\n${block.text}\n--- output ---\n${output}`).toBe(0);
  });

  it('in YAML are valid YAML (placeholders included)', () => {
    for (const b of DOCS.flatMap(fencedBlocks).filter((x) => x.lang === 'yaml' || x.lang === 'yml')) {
      const errors = parseAllDocuments(b.text).flatMap((d) => d.errors.map((e) => e.message));
      expect(errors, `${b.file}:${b.line}`).toEqual([]);
    }
  });

  it('marked as needing a cluster or AWS are at least valid shell', async () => {
    for (const b of shellBlocks.filter((s) => s.needs.length > 0)) {
      const { code, output } = await sh(['-n', '-c', b.text], scratch, env);
      expect(code, `${b.file}:${b.line} does not parse:\n${output}`).toBe(0);
    }
  });
});

/**
 * URLs the docs name that are not ours to publish, checked to exist (by hand, on the date given:
 * the test machine has no internet). Anything else must be a placeholder.
 */
const CHECKED_URLS: Readonly<Record<string, string>> = {
  'https://keepachangelog.com/en/1.1.0/': '2026-12-03',
  'https://semver.org/spec/v2.0.0.html': '2026-12-03',
  // v3.5.1's release notes give this very URL (released 2026-08-12).
  'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml': '2026-12-03',
  'https://github.com/argoproj-labs/argocd-extension-installer': '2026-12-03',
};

/**
 * Clearly not a real address: angle-bracket placeholders, RFC 2606 names, a host name of one
 * word (`https://host/`), this machine, in-cluster names.
 */
/** A Kubernetes Service reached by `<service>.<namespace>` from inside the cluster (no public TLD). */
const IN_CLUSTER_SERVICE = /^https?:\/\/[a-z0-9-]+\.(?!(?:com|org|net|io|dev|cloud|app|aws)(?:[:/]|$))[a-z0-9-]+([:/]|$)/;

function isPlaceholder(url: string): boolean {
  return IN_CLUSTER_SERVICE.test(url) || /<[^>]+>/.test(url) || /^https?:\/\/([^@/]*@)?[a-z]+([/:]|$)/.test(url) || /^https?:\/\/([^/]*\.)?example\.(com|org|net)([/:]|$)/.test(url) || /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url) || /\.svc\.cluster\.local[:/]/.test(url);
}

describe('links in the docs', () => {
  const texts = LINKED.map((file) => ({ file, text: readFileSync(join(REPO_ROOT, file), 'utf8') }));

  it('point at files of this repository, never outside it', () => {
    const problems: string[] = [];
    for (const { file, text } of texts) {
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] as string).split('#')[0] as string;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const path = resolve(REPO_ROOT, dirname(file), target);
        if (relative(REPO_ROOT, path).startsWith('..')) problems.push(`${file}: ${target} is outside the repository`);
        else if (!existsSync(path)) problems.push(`${file}: ${target} does not exist`);
      }
      for (const m of text.matchAll(/(?:^|[\s`(])(\.\.\/[\w./-]+)/gm)) {
        const path = resolve(REPO_ROOT, dirname(file), m[1] as string);
        if (relative(REPO_ROOT, path).startsWith('..')) problems.push(`${file}: ${m[1]} is outside the repository`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('name URLs that exist or are clearly placeholders', () => {
    const problems: string[] = [];
    for (const { file, text } of texts) {
      for (const m of text.matchAll(/https?:\/\/[^\s)`'"\]]+/g)) {
        const url = (m[0] as string).replace(/[.,;:]+$/, '');
        if (!isPlaceholder(url) && CHECKED_URLS[url] === undefined) problems.push(`${file}: ${url}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('address greenlight in the namespace the manifests install into', () => {
    const kustomization = parseAllDocuments(readFileSync(join(REPO_ROOT, 'manifests', 'base', 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { namespace: string };
    const rendered = execFileSync('kubectl', ['kustomize', join(REPO_ROOT, 'manifests', 'base')], { encoding: 'utf8' });
    expect(rendered).toContain(`baseUrl: http://greenlight.${kustomization.namespace}.svc.cluster.local:4355`);
    for (const { file, text } of texts) {
      for (const m of text.matchAll(/greenlight\.([a-z0-9-]+)\.svc\.cluster\.local/g)) expect(`${file}: ${m[0]}`).toBe(`${file}: greenlight.${kustomization.namespace}.svc.cluster.local`);
    }
  });

  it('show the version of package.json wherever they name a greenlight version', () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const { file, text } of texts.filter((t) => t.file !== 'CHANGELOG.md')) {
      for (const m of text.matchAll(/(?:greenlight[:@/-]|ref=v|newTag: |extension-greenlight-)v?(\d+\.\d+\.\d+)/g)) expect(`${file}: ${m[0]}`).toBe(`${file}: ${m[0].replace(m[1] as string, version)}`);
    }
    expect(readFileSync(join(REPO_ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## [${version}] - `);
  });
});
