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
import { AnswerCache } from '../answer-cache.js';
import { bearerAuth } from '../middleware/bearer-auth.js';
import { requestDeadline } from '../middleware/deadline.js';
import { jsonBody } from '../middleware/json-body.js';

export const GETPARAMS_PATH = '/api/v1/getparams.execute';

export type Generate = (request: GenerateRequest, signal: AbortSignal) => Promise<ParameterSet[]>;

export interface GetparamsDeps {
  readonly tokens: TokenSource;
  readonly generate: Generate;
  readonly metrics: Metrics;
  readonly requestDeadlineMs: number;
  readonly maxBodyBytes: number;
  /** Where complete answers are kept by request bytes (see AnswerCache); none when absent. */
  readonly answers?: AnswerCache | undefined;
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

    const deadline = requestDeadline(res, deps.requestDeadlineMs);
    try {
      const parameters = await deps.generate(
        { applicationSetName: parsed.data.applicationSetName, parameters: parsed.data.input.parameters },
        deadline.signal,
      );
      res.locals['clusters'] = parameters.length;
      deps.metrics.parameterSets.inc(parameters.length);
      const body: PluginResponse = { output: { parameters } };
      const bytes = Buffer.from(JSON.stringify(body), 'utf8');
      // Answered again from the cache by the fast path below express (see cached-answers.ts).
      deps.answers?.set(AnswerCache.keyOf(res.locals['bodyBytes'] as Buffer), {
        body: bytes,
        sets: parameters.length,
        applicationSetName: parsed.data.applicationSetName,
      });
      res.status(200).type('application/json').send(bytes);
    } finally {
      deadline.done();
    }
  });
  router.all(GETPARAMS_PATH, () => {
    throw new MethodNotAllowedError(['POST'], `${GETPARAMS_PATH} takes POST only (the way Argo CD's ApplicationSet controller calls it)`);
  });
  return router;
}
