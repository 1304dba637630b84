import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { publishedSchemas } from '../../../generator/index.js';
import { packageRoot } from '../../../plugin/paths.js';

const schemas = publishedSchemas();

describe('published JSON Schemas', () => {
  it.each(Object.keys(schemas))('schema/%s is current (run `npm run schema` after changing the contract)', (file) => {
    const committed: unknown = JSON.parse(readFileSync(join(packageRoot(), 'schema', file), 'utf8'));
    expect(committed).toEqual(schemas[file]);
  });

  it('validates input parameters the way greenlight does', () => {
    const validate = new Ajv2020({ strict: false }).compile(schemas['input-parameters.schema.json'] as object);
    const ok = [
      {},
      { cluster: 'prod-eu-green', vars: { host: 'web.[[ingress.clusterDomain]]' } },
      { pair: 'prod-eu', role: ['blue', 'green'], allowEmpty: 'true', compat: 'gitops-bridge' },
      { selector: { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } },
    ];
    const bad = [{ selecter: {} }, { cluster: 3 }, { vars: { 'my-host': 'x' } }, { compat: 'bridge' }, { selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }];
    for (const input of ok) expect(validate(input), JSON.stringify(input)).toBe(true);
    for (const input of bad) expect(validate(input), JSON.stringify(input)).toBe(false);
  });
});
