/**
 * @module greenlight's input parameters: what an ApplicationSet author writes under
 * `spec.generators[].plugin.input.parameters`. Published as JSON Schema in `schema/`.
 */
import { z } from 'zod';
import { labelSelectorSchema } from './label-selector.js';

/** Output keys must be `[A-Za-z0-9_]` so that `{{ .vars.x }}` and `{{vars.x}}` both work. */
export const outputKeySchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must start with a letter and hold only letters, digits and "_" (at most 63)');

export const MAX_TEMPLATE_LENGTH = 4096;
export const MAX_VARS = 64;

const oneOrMany = <T extends z.ZodType>(item: T, what: string) =>
  z.union([item, z.array(item).min(1).max(100)]).describe(what);

const nameSchema = z.string().min(1).max(253);
const booleanLike = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
  .describe('true or false (the strings "true" and "false" are accepted too)');

export const COMPAT_MODES = ['gitops-bridge'] as const;

/**
 * The input parameters. Every criterion given must hold (they are ANDed); with none, every
 * cluster in the inventory is selected.
 */
export const inputParametersSchema = z
  .strictObject({
    cluster: nameSchema
      .optional()
      .describe('Select exactly this cluster by its Argo CD name; for matrix(clusters × greenlight) pass "{{.name}}".'),
    clusters: z
      .array(nameSchema)
      .min(1)
      .max(1000)
      .optional()
      .describe('Select these clusters by Argo CD name. Every name must exist.'),
    selector: labelSelectorSchema
      .optional()
      .describe('Select clusters whose Argo CD cluster Secret labels match.'),
    pair: oneOrMany(nameSchema, 'Select clusters of this blue/green pair (label greenlight.io/pair).').optional(),
    role: oneOrMany(nameSchema, 'Select clusters with this role, e.g. "green" (label greenlight.io/role).').optional(),
    vars: z
      .record(outputKeySchema, z.string().max(MAX_TEMPLATE_LENGTH, `a template may be at most ${MAX_TEMPLATE_LENGTH} characters`))
      .refine((v) => Object.keys(v).length <= MAX_VARS, `at most ${MAX_VARS} vars`)
      .optional()
      .describe('Handlebars templates rendered per cluster into the output group `vars`. Inside a matrix write [[ ]] instead of {{ }}.'),
    echo: z
      .record(outputKeySchema, z.union([z.string().max(MAX_TEMPLATE_LENGTH), z.number(), z.boolean()]))
      .refine((v) => Object.keys(v).length <= MAX_VARS, `at most ${MAX_VARS} echo values`)
      .optional()
      .describe('Values returned unchanged (as strings) in the output group `input`, for templates to read.'),
    allowEmpty: booleanLike
      .optional()
      .describe('Answer an empty list when nothing matches. Off by default: an empty answer deletes Applications.'),
    compat: oneOrMany(z.enum(COMPAT_MODES), 'Extra flat keys: "gitops-bridge".').optional(),
  })
  .describe('greenlight plugin generator input parameters');

export type InputParameters = z.output<typeof inputParametersSchema>;
