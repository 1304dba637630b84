import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPreview } from '../../../../plugin/cli/preview.js';
import { packageRoot } from '../../../../plugin/paths.js';

async function preview(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const status = await runPreview(args, env, { out: (t) => (out += t), err: (t) => (err += t) });
  return { status, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'gl-preview-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('greenlight preview', () => {
  it('prints a readable table of what one cluster gets', async () => {
    const { status, out, err } = await preview(['--pair', 'prod-eu', '--role', 'green', '--var', 'host=web.{{ingress.clusterDomain}}', '--only', 'vars,cluster']);
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(out).toContain('1 parameter set from the bundled demo fleet');
    expect(out).toContain('● prod-eu-green   pair prod-eu · role green · weight 0');
    expect(out).toMatch(/ {2}vars\.host +web\.prod-eu-green\.eu\.example\.com\n/);
    expect(out).toMatch(/ {2}cluster\.weight +0\n/);
    expect(out).not.toContain('aws.region');
  });

  it('prints the exact answer Argo CD would receive with -o json', async () => {
    const { status, out } = await preview(['-o', 'json', '-l', 'greenlight.io/role in (blue)', '--compat', 'gitops-bridge']);
    expect(status).toBe(0);
    const body = JSON.parse(out) as { output: { parameters: Record<string, unknown>[] } };
    expect(body.output.parameters).toHaveLength(1);
    expect(body.output.parameters[0]?.['aws_cluster_name']).toBe('prod-eu-blue');
    expect(body.output.parameters[0]?.['route53_weight']).toBe('100');
  });

  it('reads input parameters from a YAML file, flags winning', async () => {
    const file = join(dir, 'input.yaml');
    writeFileSync(file, 'pair: prod-eu\nrole: blue\nvars:\n  region: "{{aws.region}}"\n');
    const { status, out } = await preview(['-f', file, '--role', 'green', '-o', 'json']);
    expect(status).toBe(0);
    const sets = (JSON.parse(out) as { output: { parameters: { cluster: { name: string }; vars: { region: string } }[] } }).output.parameters;
    expect(sets.map((s) => [s.cluster.name, s.vars.region])).toEqual([['prod-eu-green', 'eu-west-1']]);
  });

  it('previews an ApplicationSet, rendering a matrix once per matching cluster', async () => {
    const file = join(packageRoot(), 'test', 'fixtures', 'applicationsets', 'matrix-clusters.yaml');
    const { status, out } = await preview(['-f', file, '--only', 'vars']);
    expect(status).toBe(0);
    expect(out).toContain('── spec.generators[0].matrix.generators[1] (for cluster prod-eu-blue)');
    expect(out).toMatch(/vars\.host +web\.prod-eu-blue\.eu\.example\.com/);
    expect(out).toMatch(/vars\.host +web\.prod-eu-green\.eu\.example\.com/);
  });

  it('explains a refusal and exits 1', async () => {
    const { status, err } = await preview(['--cluster', 'prod-eu-green', '--var', 'x={{storage.fastClass}}']);
    expect(status).toBe(1);
    expect(err).toContain('greenlight would refuse flags [GL_TEMPLATE_FAILED]:');
    expect(err).toContain('"storage.fastClass" is not defined ("storage" has: classes, defaultClass)');
  });

  it('exits 2 on a usage error', async () => {
    const bad = await preview(['--nope']);
    expect(bad.status).toBe(2);
    expect(bad.err).toBe('greenlight preview: unknown flag --nope\nRun "greenlight preview --help" for its usage.\n');
    const badVar = await preview(['--var', 'novalue']);
    expect(badVar.status).toBe(2);
    expect(badVar.err).toContain('--var takes KEY=VALUE, got "novalue"');
  });

  it('reads another fleet file from --inventory or GREENLIGHT_INVENTORY', async () => {
    const file = join(dir, 'fleet.yaml');
    writeFileSync(file, 'apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters:\n  - name: lab\n    server: https://lab.example.com\n');
    const { status, out } = await preview(['-o', 'json'], { GREENLIGHT_INVENTORY: file });
    expect(status).toBe(0);
    expect(JSON.parse(out).output.parameters[0].cluster).toEqual({ name: 'lab', nameNormalized: 'lab', server: 'https://lab.example.com', project: '' });
    writeFileSync(file, 'apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters:\n  - name: lab\n');
    const broken = await preview(['--inventory', file]);
    expect(broken.status).toBe(1);
    expect(broken.err).toContain(`fleet file ${file} is not a valid fleet file: clusters.0.server: Invalid input: expected string, received undefined`);
  });
});
