/** @module The published JSON Schemas: what users validate their input against, and what they get back. */
import { z } from 'zod';
import { inputParametersSchema } from './input-parameters.js';
import { parameterSetSchema } from './plugin-response.js';

const BASE = 'https://greenlight.io/schema';

/** File name → JSON Schema. `npm run schema` writes them to `schema/`; a test keeps them current. */
export function publishedSchemas(): Record<string, object> {
  return {
    'input-parameters.schema.json': {
      $id: `${BASE}/input-parameters.schema.json`,
      title: 'greenlight plugin generator input parameters',
      ...z.toJSONSchema(inputParametersSchema, { io: 'input', target: 'draft-2020-12' }),
    },
    'parameter-set.schema.json': {
      $id: `${BASE}/parameter-set.schema.json`,
      title: 'One parameter set greenlight returns per cluster',
      ...z.toJSONSchema(parameterSetSchema, { io: 'output', target: 'draft-2020-12', unrepresentable: 'any' }),
    },
  };
}
