/**
 * @module The answer greenlight gives the controller: one parameter set per selected cluster.
 * Every key is `[A-Za-z0-9_]` and every leaf a string, so the same answer works with
 * `goTemplate: true` (`{{ .aws.region }}`) and with fasttemplate's flattening (`{{aws.region}}`).
 */
import { z } from 'zod';

export const OUTPUT_KEY = /^[A-Za-z0-9_]+$/;
/** Keys the controller overwrites (contract §3.4): never emitted. */
export const RESERVED_KEYS = ['generator', 'values'] as const;

const stringMap = z.record(z.string(), z.string());

const parameterGroupsSchema = z.object({
    cluster: z
      .object({
        name: z.string().describe('Argo CD cluster name (the Secret\'s data.name).'),
        nameNormalized: z.string().describe('name as the cluster generator normalizes it (DNS-1123).'),
        server: z.string(),
        project: z.string(),
        pair: z.string().optional(),
        role: z.string().optional(),
        weight: z.string().optional().describe('Route 53 weight, 0-255, as a string.'),
        domain: z.string().optional(),
      })
      .describe('Identity and blue/green role of the cluster.'),
    aws: stringMap.optional().describe('EKS facts: accountId, region, clusterName, clusterArn, version, vpcId, oidcIssuer, oidcIssuerHost, oidcProviderArn, ...'),
    kubernetes: stringMap.optional().describe('version (1.31), gitVersion, major, minor: from the cluster\'s own API, else EKS.'),
    addons: stringMap.optional().describe('EKS add-on versions keyed by add-on name with "-" as "_".'),
    storage: stringMap.optional().describe('defaultClass (absent when there is none), classes (comma-separated).'),
    ingress: stringMap.optional().describe('defaultClass, classes, domain, host.'),
    podIdentity: z.record(z.string(), stringMap).optional().describe('Role ARN by namespace, then service account ("-" as "_").'),
    secrets: z
      .object({ prefix: z.string(), count: z.string(), paths: z.string(), keys: stringMap })
      .optional()
      .describe('SSM parameter names under the cluster\'s prefix. Names only, never values.'),
    vars: stringMap.optional().describe('The input `vars` templates, rendered for this cluster.'),
    input: stringMap.optional().describe('Scalar input parameters and `echo` values, echoed as strings.'),
    facts: z
      .object({ sources: z.string(), fetchedAt: z.string(), stale: z.string() })
      .describe('Where the facts came from, the oldest fetch time, and whether any are last-known-good.'),
});

/** One parameter set: the groups, plus flat compatibility keys at the top level. */
export const parameterSetSchema = parameterGroupsSchema
  .catchall(z.string().describe('flat compatibility keys such as aws_region (compat: gitops-bridge)'))
  .superRefine((set, ctx) => {
    for (const key of RESERVED_KEYS) {
      if (key in set) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is reserved by Argo CD` });
    }
    const walk = (value: unknown, path: string[]): void => {
      if (typeof value === 'string') return;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        ctx.addIssue({ code: 'custom', path, message: 'every leaf must be a string' });
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        if (!OUTPUT_KEY.test(k)) ctx.addIssue({ code: 'custom', path: [...path, k], message: 'keys must match [A-Za-z0-9_]+' });
        walk(v, [...path, k]);
      }
    };
    walk(set, []);
  });

/** The groups are typed; flat compatibility keys (`aws_region`, ...) ride alongside as strings. */
export type ParameterSet = z.infer<typeof parameterGroupsSchema> & { [flatKey: string]: unknown };

/** `{"output":{"parameters":[...]}}`: the wrapper the controller's decoder needs (contract §3.3). */
export const pluginResponseSchema = z.object({
  output: z.object({ parameters: z.array(parameterSetSchema) }),
});

export type PluginResponse = { output: { parameters: ParameterSet[] } };

/** Every non-2xx answer: Argo CD shows `message` verbatim in the ApplicationSet's conditions. */
export const errorBodySchema = z.object({
  message: z.string(),
  code: z.string(),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;
