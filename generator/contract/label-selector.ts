/** @module Kubernetes label selectors, validated the way the API server validates them. */
import { z } from 'zod';

// apimachinery's qualified name: an optional DNS-subdomain prefix, then a name of at most 63
// characters that starts and ends with an alphanumeric.
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return labelName.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && dnsSubdomain.test(prefix) && labelName.test(key.slice(slash + 1));
}

export const labelKeySchema = z.string().refine(isLabelKey, {
  message: 'is not a valid label key (an optional DNS prefix and "/", then at most 63 characters: letters, digits, "-", "_", ".")',
});

export const labelValueSchema = z
  .string()
  .max(63)
  .regex(labelValue, 'is not a valid label value (at most 63 characters: letters, digits, "-", "_", ".")');

export const labelSelectorRequirementSchema = z
  .strictObject({
    key: labelKeySchema,
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(labelValueSchema).max(100).optional(),
  })
  .superRefine((req, ctx) => {
    const needsValues = req.operator === 'In' || req.operator === 'NotIn';
    const count = req.values?.length ?? 0;
    if (needsValues && count === 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} needs at least one value` });
    }
    if (!needsValues && count > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} takes no values` });
    }
  });

/** A Kubernetes `LabelSelector`: every `matchLabels` entry and every expression must hold. */
export const labelSelectorSchema = z
  .strictObject({
    matchLabels: z.record(labelKeySchema, labelValueSchema).optional(),
    matchExpressions: z.array(labelSelectorRequirementSchema).max(50).optional(),
  })
  .describe('A Kubernetes label selector over the labels of Argo CD cluster Secrets.');

export type LabelSelector = z.infer<typeof labelSelectorSchema>;
