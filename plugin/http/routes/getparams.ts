/** @module `POST /api/v1/getparams.execute`: parse → generate (all or nothing, under a deadline) → answer. */
import { Router } from 'express';
import {
  describeIssues,
  InputError,
  MethodNotAllowedError,
  pluginRequestSchema,
  type GenerateRequest,
  type ParameterSet,
  type PluginResponse,
} from '../../../generator/index.js';
import type { TokenSource } from '../../auth/token-source.js';
import type { Metrics } from '../../metrics.js';
import { bearerAuth } from '../middleware/bearer-auth.js';
import { jsonBody } from '../middleware/json-body.js';

export const GETPARAMS_PATH = '/api/v1/getparams.execute';

export type Generate = (request: GenerateRequest, signal: AbortSignal) => Promise<ParameterSet[]>;

export interface GetparamsDeps {
  readonly tokens: TokenSource;
  readonly generate: Generate;
  readonly metrics: Metrics;
  readonly requestDeadlineMs: number;
  readonly maxBodyBytes: number;
}

export function getparamsRouter(deps: GetparamsDeps): Router {
  const router = Router();
  router.post(GETPARAMS_PATH, bearerAuth(deps.tokens), ...jsonBody(deps.maxBodyBytes), async (req, res) => {
    const parsed = pluginRequestSchema.safeParse(res.locals['body']);
    if (!parsed.success) {
      throw new InputError(
        'GL_REQUEST_INVALID',
        `the body is not an Argo CD plugin request: ${describeIssues(parsed.error.issues, '')}; expected {"applicationSetName": "...", "input": {"parameters": {...}}}`,
      );
    }
    res.locals['applicationSetName'] = parsed.data.applicationSetName;

    // The deadline keeps every answer inside the controller's 30 s client timeout; a caller
    // that hangs up stops the work too.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('deadline')), deps.requestDeadlineMs);
    const onClose = () => {
      if (!res.writableEnded) controller.abort(new Error('client closed the connection'));
    };
    res.on('close', onClose);
    try {
      const parameters = await deps.generate(
        { applicationSetName: parsed.data.applicationSetName, parameters: parsed.data.input.parameters },
        controller.signal,
      );
      res.locals['clusters'] = parameters.length;
      deps.metrics.parameterSets.inc(parameters.length);
      const body: PluginResponse = { output: { parameters } };
      res.status(200).json(body);
    } finally {
      clearTimeout(timer);
      res.off('close', onClose);
    }
  });
  router.all(GETPARAMS_PATH, () => {
    throw new MethodNotAllowedError(['POST'], `${GETPARAMS_PATH} takes POST only (the way Argo CD's ApplicationSet controller calls it)`);
  });
  return router;
}
