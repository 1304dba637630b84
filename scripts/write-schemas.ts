// Writes the published JSON Schemas to schema/. Run with `npm run schema` after changing the contract.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedSchemas } from '../generator/index.js';
import { packageRoot } from '../plugin/paths.js';

for (const [file, schema] of Object.entries(publishedSchemas())) {
  const path = join(packageRoot(), 'schema', file);
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote ${path}\n`);
}
