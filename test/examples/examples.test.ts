/**
 * Every example ApplicationSet: valid against Argo CD's CRD schema, previewed with
 * `greenlight preview` against the demo fleet, and rendered the way the controller renders it
 * (test/support/argocd-controller.ts) with missing keys as errors, in its own template mode and
 * in the other one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { normalizeName, type ClusterRecord } from '../../generator/index.js';
import { FleetFileInventory } from '../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { runPreview } from '../../plugin/cli/preview.js';
import { createLogger } from '../../plugin/logger.js';
import { DEMO_FLEET_PATH, packageRoot } from '../../plugin/paths.js';
import { combineMatrixParams, flattenForFasttemplate, paramsFor, renderFastTemplate, renderGoTemplate } from '../support/argocd-controller.js';

const dir = join(packageRoot(), 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const demo = new FleetFileInventory(DEMO_FLEET_PATH, createLogger('silent')).load().snapshot().clusters;

interface Answer {
  readonly renderedFor?: string;
  readonly inputParameters: Record<string, unknown>;
  readonly parameters: Record<string, unknown>[];
}

type Doc = {
  spec: { goTemplate?: boolean; generators: { plugin?: { input?: { parameters?: Record<string, unknown> } }; matrix?: { generators: { plugin?: { input?: { parameters?: Record<string, unknown> } } }[] } }[]; template: unknown };
};

async function preview(file: string): Promise<Answer[]> {
  let out = '';
  let err = '';
  const status = await runPreview(['-f', file, '-o', 'json'], {}, { out: (t) => (out += t), err: (t) => (err += t) });
  expect(err).toBe('');
  expect(status).toBe(0);
  const body = JSON.parse(out) as { output: { parameters: Record<string, unknown>[] } } | { renderedFor?: string; parameters: Record<string, unknown>[] }[];
  return Array.isArray(body)
    ? body.map((a) => ({ ...(a.renderedFor !== undefined ? { renderedFor: a.renderedFor } : {}), inputParameters: {}, parameters: a.parameters }))
    : [{ inputParameters: {}, parameters: body.output.parameters }];
}

/** The cluster generator's parameters for one cluster (contract reference §5.4). */
function clusterGeneratorParams(cluster: ClusterRecord, goTemplate: boolean): Record<string, unknown> {
  const base = { name: cluster.name, nameNormalized: normalizeName(cluster.name), server: cluster.server, project: cluster.project };
  return goTemplate ? { ...base, metadata: { labels: cluster.labels, annotations: cluster.annotations } } : flattenForFasttemplate({ ...base, metadata: { labels: cluster.labels, annotations: cluster.annotations } });
}

/** Every string in the template, rendered; throws on the first key that does not resolve. */
function renderAll(value: unknown, render: (s: string) => string): unknown {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((v) => renderAll(v, render));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [render(k), renderAll(v, render)]));
  return value;
}

/** The same template in the other mode: `{{ .a.b }}` ⇄ `{{a.b}}`. */
function otherMode(template: unknown, goTemplate: boolean): unknown {
  return renderAll(template, (s) =>
    goTemplate ? s.replace(/\{\{-?\s*\.([A-Za-z0-9_.]+)\s*-?\}\}/g, '{{$1}}') : s.replace(/\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g, '{{ .$1 }}'),
  );
}

function renderFor(template: unknown, params: Record<string, unknown>, goTemplate: boolean): unknown {
  return renderAll(template, (s) => (goTemplate ? renderGoTemplate(s, params, { missingKey: 'error' }) : renderFastTemplate(s, params, { allowUnresolved: false })));
}

describe.each(files)('examples/%s', (file) => {
  const path = join(dir, file);
  const doc = parseYaml(readFileSync(path, 'utf8')) as Doc;

  it('is a valid ApplicationSet (Argo CD CRD schema)', () => {
    expect(() => new ApplicationSet(doc as never).validate()).not.toThrow();
    expect(JSON.stringify(doc.spec.template)).toContain('greenlight.io/app');
  });

  it('previews against the demo fleet and renders, with every key resolved, in both template modes', async () => {
    const answers = await preview(path);
    const goTemplate = doc.spec.goTemplate === true;
    let rendered = 0;
    for (const answer of answers) {
      expect(answer.parameters.length).toBeGreaterThan(0);
      for (const set of answer.parameters) {
        for (const mode of [goTemplate, !goTemplate]) {
          let params = paramsFor(set, { goTemplate: mode, inputParameters: answer.inputParameters });
          if (answer.renderedFor !== undefined) {
            const cluster = demo.find((c) => c.name === answer.renderedFor) as ClusterRecord;
            params = combineMatrixParams(clusterGeneratorParams(cluster, mode), params, mode);
          }
          const template = mode === goTemplate ? doc.spec.template : otherMode(doc.spec.template, goTemplate);
          const app = renderFor(template, params, mode) as { metadata: { name: string }; spec: { destination: { server: string } } };
          expect(app.metadata.name).not.toMatch(/[{}]/);
          expect(demo.map((c) => c.server)).toContain(app.spec.destination.server);
          rendered++;
        }
      }
    }
    expect(rendered).toBeGreaterThanOrEqual(4);
  });
});

it('the examples cover both template modes and the matrix form', () => {
  const docs = files.map((f) => parseYaml(readFileSync(join(dir, f), 'utf8')) as Doc);
  expect(docs.some((d) => d.spec.goTemplate === true)).toBe(true);
  expect(docs.some((d) => d.spec.goTemplate !== true)).toBe(true);
  expect(docs.some((d) => d.spec.generators.some((g) => g.matrix))).toBe(true);
});
