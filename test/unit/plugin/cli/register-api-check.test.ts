import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../generator/index.js';
import { apiCheckFailure } from '../../../../plugin/cli/register.js';

const REG = { name: 'prod-eu-green', authenticationMode: 'API_AND_CONFIG_MAP' };
const SERVER = 'https://ABC.gr7.eu-west-1.eks.amazonaws.com';
const status = (code: number, message: string) => new ApiException(code, 'error', JSON.stringify({ kind: 'Status', code, message }), {});

describe('register: what a failed API check says', () => {
  it('says "cannot be reached" only when nothing answered: refused, DNS, timeout', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT']) {
      const err = Object.assign(new Error(`request to ${SERVER}/version failed, reason: ${code}`), { code });
      expect(apiCheckFailure(err, REG, undefined, SERVER)).toBe(`the API server cannot be reached from here (${code}): is its endpoint private? Argo CD needs a network path to it`);
    }
    const aborted = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(apiCheckFailure(aborted, REG, undefined, SERVER)).toBe(
      'the API server cannot be reached from here: no answer to GET /version within 20 s: is its endpoint private? Argo CD needs a network path to it',
    );
  });

  it('gives an HTTP answer its own accurate message', () => {
    expect(apiCheckFailure(status(404, 'the server could not find the requested resource'), REG, undefined, SERVER)).toBe(
      `the API server at ${SERVER} answered 404 to GET ${SERVER}/version (the server could not find the requested resource): it is reachable, but that URL is not a Kubernetes API server; check the cluster's endpoint`,
    );
    expect(apiCheckFailure(status(503, 'apiserver is shutting down'), REG, undefined, SERVER)).toBe(
      `the API server at ${SERVER} is reachable but answered 503 to GET /version (apiserver is shutting down): it is failing or still starting; run register again once it is healthy`,
    );
    expect(apiCheckFailure(status(403, 'forbidden'), REG, 'arn:aws:iam::1:role/argocd', SERVER)).toBe(
      'arn:aws:iam::1:role/argocd is authenticated but not allowed to read /version: its access policy is too narrow for Argo CD',
    );
    for (const code of [404, 500, 503, 429]) expect(apiCheckFailure(status(code, 'x'), REG, undefined, SERVER)).not.toContain('cannot be reached');
  });

  it("passes greenlight's own refusals on as they are (no EKS token could be made, or may not go there)", () => {
    const own = new UpstreamError('GL_CLUSTER_INVALID', 'cluster "x": its server ... is not the endpoint ...');
    expect(apiCheckFailure(own, REG, undefined, SERVER)).toBe(own.message);
  });
});
