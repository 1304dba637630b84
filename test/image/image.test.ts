/**
 * The container image, built from the project's Dockerfile and run the way manifests/ run it.
 * `npm run test:image` (vitest.image.config.ts); never part of `npm test`, which must not need
 * docker. Without registry access the two base images are local stand-ins with the real ones'
 * layout and user (scripts/image-stand-ins.mjs). If docker cannot work here, this fails.
 *
 * What runs:
 * - the service, with the securityContext, args, /tmp volume and memory limit of
 *   manifests/base/deployment.yaml (read-only root, uid 65532, no capabilities, no new
 *   privileges), on the bundled demo fleet: /healthz, /readyz, a getparams answer;
 * - `greenlight preview` inside the image, which must give the same answer;
 * - the UI bundle's init container of manifests/argocd-wiring, its command taken verbatim from
 *   the manifest, copying into an emptyDir-like directory.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { eventually } from '../support/patience.js';
import { docker, dockerStreaming, noDocker } from './docker.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = 'greenlight-test/greenlight:image-test';
const DEMO_TOKEN = 'greenlight-demo-token';

// --- what the manifests say -------------------------------------------------------------------

const SecurityContext = z.object({
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().int().optional(),
  runAsGroup: z.number().int().optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  capabilities: z.object({ drop: z.array(z.string()).optional() }).optional(),
});
const Container = z.object({
  name: z.string(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
  ports: z.array(z.object({ containerPort: z.number() })).optional(),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).optional(),
  securityContext: SecurityContext.optional(),
  resources: z.object({ limits: z.object({ memory: z.string().optional() }).optional() }).optional(),
});
const Deployment = z.object({
  spec: z.object({
    template: z.object({
      spec: z.object({
        securityContext: SecurityContext.optional(),
        initContainers: z.array(Container).optional(),
        containers: z.array(Container),
        volumes: z.array(z.object({ name: z.string(), emptyDir: z.looseObject({}).optional() })).optional(),
      }),
    }),
  }),
});
type Pod = z.infer<typeof Deployment>['spec']['template']['spec'];
type PodContainer = z.infer<typeof Container>;

function manifest(path: string): Pod {
  return Deployment.parse(parse(readFileSync(join(root, path), 'utf8'))).spec.template.spec;
}

function containerNamed(list: readonly PodContainer[] | undefined, name: string): PodContainer {
  const found = list?.find((c) => c.name === name);
  if (!found) throw new Error(`no container "${name}" in the manifest`);
  return found;
}

/**
 * `docker run` flags for what the pod and container securityContexts say. Each setting the
 * manifests use maps to its docker equivalent; a container the manifests leave to the image's
 * USER runs as the image's user here too.
 */
function securityFlags(pod: Pod, container: PodContainer): string[] {
  const sc = { ...pod.securityContext, ...container.securityContext };
  const flags: string[] = [];
  if (sc.runAsUser !== undefined) flags.push('--user', `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`);
  if (sc.readOnlyRootFilesystem) flags.push('--read-only');
  if (sc.allowPrivilegeEscalation === false) flags.push('--security-opt', 'no-new-privileges');
  for (const cap of sc.capabilities?.drop ?? []) flags.push('--cap-drop', cap);
  return flags;
}

/** The container's emptyDir mounts, as tmpfs (what an emptyDir is on a read-only root). */
function emptyDirFlags(pod: Pod, container: PodContainer): string[] {
  const emptyDirs = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
  return (container.volumeMounts ?? []).filter((m) => emptyDirs.has(m.name)).flatMap((m) => ['--tmpfs', `${m.mountPath}:mode=1777`]);
}

function memoryFlags(container: PodContainer): string[] {
  const limit = /^(\d+)Mi$/.exec(container.resources?.limits?.memory ?? '');
  return limit ? ['--memory', `${limit[1]}m`] : [];
}

// --- what the demo fleet says -------------------------------------------------------------------

const Fleet = z.object({
  clusters: z.array(z.object({ name: z.string(), server: z.string(), labels: z.record(z.string(), z.string()) })),
});
const demoPair = (pair: string) =>
  Fleet.parse(parse(readFileSync(join(root, 'demo/fleet.yaml'), 'utf8'))).clusters.filter((c) => c.labels['greenlight.io/pair'] === pair);

const Answer = z.object({
  output: z.object({
    parameters: z.array(z.looseObject({ cluster: z.looseObject({ name: z.string(), server: z.string(), role: z.string() }), vars: z.record(z.string(), z.string()) })),
  }),
});
/** An answer without the one value that differs between two calls: when the facts were read. */
function comparable(answer: unknown): unknown {
  return JSON.parse(JSON.stringify(answer), (key, value: unknown) => (key === 'fetchedAt' ? '(time)' : value));
}

// --- the image ---------------------------------------------------------------------------------

const containers: string[] = [];
const scratch: string[] = [];
let imageConfig: { User: string; Entrypoint: string[] | null; Cmd: string[] | null; WorkingDir: string };

beforeAll(async () => {
  const version = await docker(['version', '--format', '{{.Server.Version}}'], { allowFailure: true });
  if (version.code !== 0) throw new Error(noDocker(`the Docker daemon does not answer ("docker version": ${version.stderr.trim()})`));

  const standIns = await promisify(execFile)(process.execPath, [join(root, 'scripts/image-stand-ins.mjs')], { cwd: root, maxBuffer: 1024 * 1024 });
  const buildArgs = standIns.stdout.trim().split(/\s+/);
  expect(buildArgs).toContain('--build-arg');
  await dockerStreaming(['build', '--tag', IMAGE, ...buildArgs, '.'], root);

  const inspect = await docker(['image', 'inspect', '--format', '{{json .Config}}', IMAGE]);
  imageConfig = JSON.parse(inspect.stdout) as typeof imageConfig;
});

afterAll(async () => {
  if (containers.length > 0) await docker(['rm', '--force', ...containers], { allowFailure: true });
  // The init container wrote as uid 65532; a container removes what it wrote.
  for (const dir of scratch) {
    await docker(['run', '--rm', '--user', '0:0', '--volume', `${dir}:/scratch`, '--entrypoint', '/nodejs/bin/node', IMAGE, '-e', 'for (const f of require("fs").readdirSync("/scratch")) require("fs").rmSync("/scratch/" + f, { recursive: true })'], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the image', () => {
  it('runs node 22 as a numeric non-root user (what runAsNonRoot needs), from /app, with distroless\'s entrypoint', async () => {
    expect(imageConfig.User).toBe('65532:65532');
    expect(imageConfig.Entrypoint).toEqual(['/nodejs/bin/node']);
    expect(imageConfig.WorkingDir).toBe('/app');
    expect(imageConfig.Cmd).toEqual(['dist/plugin/main.js']);
    const version = await docker(['run', '--rm', '--read-only', '--cap-drop', 'ALL', IMAGE, '-p', 'process.version + " uid " + process.getuid()']);
    expect(version.stdout.trim()).toMatch(/^v22\.\d+\.\d+ uid 65532$/);
  });

  it('has no shell: the runtime stage is distroless (nothing but node)', async () => {
    const sh = await docker(['run', '--rm', '--entrypoint', '/bin/sh', IMAGE, '-c', 'true'], { allowFailure: true });
    expect(sh.code).not.toBe(0);
    expect(sh.stderr).toMatch(/no such file or directory/i);
  });
});

describe('the service, run as manifests/base/deployment.yaml runs it', () => {
  const pod = manifest('manifests/base/deployment.yaml');
  const spec = containerNamed(pod.containers, 'greenlight');
  let base = '';
  let id = '';

  beforeAll(async () => {
    const port = spec.ports?.[0]?.containerPort;
    expect(port).toBe(4355);
    // The demo fleet instead of GREENLIGHT_INVENTORY=argocd (no Kubernetes API here); the rest
    // as the manifest has it. Docker's -p binds the host side to 127.0.0.1 only.
    const env = (spec.env ?? []).filter((e) => e.name === 'GREENLIGHT_HOST' && e.value !== undefined).flatMap((e) => ['--env', `${e.name}=${e.value}`]);
    const run = await docker([
      'run', '--detach', ...securityFlags(pod, spec), ...emptyDirFlags(pod, spec), ...memoryFlags(spec), ...env,
      '--publish', `127.0.0.1::${port}`, IMAGE, ...(spec.args ?? []),
    ]);
    id = run.stdout.trim();
    containers.push(id);
    const published = await docker(['port', id, `${port}/tcp`]);
    base = `http://${published.stdout.trim().split('\n')[0]}`;
    await eventually(async () => {
      const state = await docker(['inspect', '--format', '{{.State.Status}}', id]);
      if (state.stdout.trim() !== 'running') {
        const logs = await docker(['logs', id], { allowFailure: true });
        throw new Error(`the container is ${state.stdout.trim()}; its output:\n${logs.stdout}${logs.stderr}`);
      }
      // Docker's port proxy accepts before the service listens and may then hold that first
      // connection open without an answer: each attempt gives up so that the next one can try.
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(res.status).toBe(200);
    });
  });

  it('runs with the manifest\'s hardening: read-only root, uid 65532, no capabilities, no new privileges', async () => {
    const host = JSON.parse((await docker(['inspect', '--format', '{{json .HostConfig}}', id])).stdout) as { ReadonlyRootfs: boolean; CapDrop: string[]; SecurityOpt: string[] };
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    const probe = await docker(['exec', id, '/nodejs/bin/node', '-e', `
      const fs = require('node:fs');
      const status = fs.readFileSync('/proc/1/status', 'utf8');
      let root;
      try { fs.writeFileSync('/app/probe', 'x'); root = 'writable'; } catch (e) { root = e.code; }
      fs.writeFileSync('/tmp/probe', 'x');
      console.log(JSON.stringify({
        uid: /^Uid:\\s+(\\d+)/m.exec(status)[1],
        capEff: /^CapEff:\\s+(\\w+)/m.exec(status)[1],
        noNewPrivs: /^NoNewPrivs:\\s+(\\d)/m.exec(status)[1],
        root,
      }));`]);
    expect(JSON.parse(probe.stdout)).toEqual({ uid: '65532', capEff: '0000000000000000', noNewPrivs: '1', root: 'EROFS' });
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await eventually(async () => {
      const res = await fetch(`${base}/readyz`);
      expect(res.status).toBe(200);
      return res;
    });
    expect(ready.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers getparams for the demo fleet (the README\'s request), and preview in the image gives the same answer', async () => {
    const parameters = { pair: 'prod-eu', vars: { host: 'web.{{ingress.clusterDomain}}' } };
    const res = await fetch(`${base}/api/v1/getparams.execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ applicationSetName: 'demo', input: { parameters } }),
    });
    expect(res.status).toBe(200);
    const answer = Answer.parse(await res.json());
    const pair = demoPair('prod-eu');
    expect(pair.length).toBeGreaterThan(1);
    expect(answer.output.parameters.map((p) => [p.cluster.name, p.cluster.server])).toEqual(pair.map((c) => [c.name, c.server]));
    for (const p of answer.output.parameters) expect(p.vars['host']).toMatch(new RegExp(`^web\\.${p.cluster.name}\\.`));

    const preview = await docker([
      'run', '--rm', ...securityFlags(pod, spec), ...emptyDirFlags(pod, spec), IMAGE,
      'bin/greenlight.js', 'preview', '--pair', 'prod-eu', '--var', `host=${parameters.vars.host}`, '-o', 'json',
    ]);
    expect(comparable(JSON.parse(preview.stdout))).toEqual(comparable(answer));
  });

  it('refuses getparams without the token', async () => {
    const res = await fetch(`${base}/api/v1/getparams.execute`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
      body: JSON.stringify({ applicationSetName: 'demo', input: { parameters: { pair: 'prod-eu' } } }),
    });
    expect(res.status).toBe(403);
  });
});

describe('the README\'s preview command, in the image', () => {
  it('prints the table for the demo fleet', async () => {
    const pod = manifest('manifests/base/deployment.yaml');
    const spec = containerNamed(pod.containers, 'greenlight');
    const table = await docker([
      'run', '--rm', ...securityFlags(pod, spec), ...emptyDirFlags(pod, spec), IMAGE,
      'bin/greenlight.js', 'preview', '--pair', 'prod-eu', '--var', 'host=web.{{ingress.clusterDomain}}', '--only', 'vars,cluster',
    ]);
    expect(table.stdout).toContain('/app/demo/fleet.yaml');
    for (const cluster of demoPair('prod-eu')) expect(table.stdout).toMatch(new RegExp(`^● ${cluster.name} `, 'm'));
  });
});

describe('the UI bundle, installed by the init container of manifests/argocd-wiring', () => {
  const pod = manifest('manifests/argocd-wiring/argocd-server.yaml');
  const init = containerNamed(pod.initContainers, 'greenlight-ui-extension');
  const mount = init.volumeMounts?.[0]?.mountPath ?? '';
  const script = init.command?.[2] ?? '';
  const [, from, to] = /copyFileSync\('([^']+)',\s*'([^']+)'\)/.exec(script) ?? [];

  it('the manifest\'s init container runs node with a script that copies from the image into its emptyDir', () => {
    expect(init.image?.split(':')[0]).toBe('ghcr.io/greenlight-io/greenlight');
    expect(init.command?.slice(0, 2)).toEqual(['/nodejs/bin/node', '-e']);
    expect(from).toMatch(/^\/app\/ui-extension\/dist\/extension-[\w-]+\.js$/);
    expect(to?.startsWith(`${mount}/`)).toBe(true);
  });

  it('the bundle is at the path the init container copies from, and its command works in the image', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'greenlight-extensions-'));
    scratch.push(emptyDir);
    chmodSync(emptyDir, 0o777); // as the kubelet makes an emptyDir
    const [entrypoint, ...args] = init.command ?? [];
    await docker(['run', '--rm', ...securityFlags(pod, init), '--volume', `${emptyDir}:${mount}`, '--entrypoint', entrypoint ?? '', IMAGE, ...args]);

    const copied = readFileSync(join(emptyDir, (to ?? '').slice(mount.length)));
    const inImage = await docker(['run', '--rm', '--read-only', IMAGE, '-e', `process.stdout.write(require('node:fs').readFileSync(${JSON.stringify(from)}, 'base64'))`]);
    expect(copied.toString('base64')).toBe(inImage.stdout);
    // What argocd-server loads: a script that registers greenlight with the extensions API.
    expect(copied.length).toBeGreaterThan(10_000);
    expect(copied.toString('utf8')).toContain('extensionsAPI');
  });
});
