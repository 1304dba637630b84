/** @module The request Argo CD's ApplicationSet controller sends to `POST /api/v1/getparams.execute`. */
import { z } from 'zod';

/**
 * The controller's `ServiceRequest` (applicationset/services/plugin/plugin_service.go).
 * `input.parameters` is omitted when the generator has none (`omitempty`), and fields the
 * controller may add later (such as `applicationSetNamespace`, argo-cd PR #26600) are tolerated.
 */
export const pluginRequestSchema = z
  .object({
    applicationSetName: z
      .string()
      .describe("The ApplicationSet's metadata.name (never its namespace)."),
    input: z
      .object({
        parameters: z
          .record(z.string(), z.unknown())
          .nullish()
          .describe('spec.generators[].plugin.input.parameters, as stored (rendered first inside a matrix).'),
      })
      .loose()
      .describe('The generator input.'),
  })
  .loose();

export type PluginRequest = z.infer<typeof pluginRequestSchema>;
