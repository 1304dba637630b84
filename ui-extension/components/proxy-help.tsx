/** @module What to do when the facts diff cannot be reached through Argo CD's proxy extension. Pure. */
import * as React from 'react';
import { PROXY_EXTENSION_NAME, PROXY_SECRET_HEADER } from '../../generator/contract/ui-api.js';
import type { FactsProblem } from '../api-client.js';

const FLAG = `# argocd-cmd-params-cm (then restart argocd-server)
data:
  server.enable.proxy.extension: "true"`;

const CONFIG = `# argocd-cm (Argo CD 2.13+; older: a "${PROXY_EXTENSION_NAME}" entry under extension.config's extensions list)
data:
  extension.config.${PROXY_EXTENSION_NAME}: |
    services:
    - url: http://greenlight.argocd.svc:4355
      headers:
      - name: ${PROXY_SECRET_HEADER}
        value: '$greenlight.proxy.secret'   # a key of argocd-secret; greenlight's GREENLIGHT_PROXY_SECRET_FILE holds the same value`;

const RBAC = `# argocd-rbac-cm: both lines, for every role that uses the facts diff (role:admin does not include it)
p, role:example, extensions, invoke, ${PROXY_EXTENSION_NAME}, allow
p, role:example, applications, get, <project>/*, allow`;

const TITLES: Readonly<Record<FactsProblem['kind'], string>> = {
  'proxy-disabled': "The facts diff needs Argo CD's proxy extension, which is not enabled",
  'extension-not-configured': `Argo CD's proxy extension has no "${PROXY_EXTENSION_NAME}" backend`,
  'not-authorized': `Argo CD refused the call to the "${PROXY_EXTENSION_NAME}" proxy extension`,
  'backend-unreachable': "Argo CD's proxy could not reach greenlight",
  greenlight: 'greenlight could not answer with the facts of this pair',
  other: 'The facts of this pair could not be read',
};

export function ProxyHelp(props: { readonly problem: FactsProblem; readonly onRetry?: (() => void) | undefined }) {
  const { problem } = props;
  const steps: React.ReactNode[] = [];
  if (problem.kind === 'proxy-disabled') {
    steps.push(<li key='flag'>Enable proxy extensions:<code className='greenlight-code'>{FLAG}</code></li>);
  }
  if (problem.kind === 'proxy-disabled' || problem.kind === 'extension-not-configured') {
    steps.push(<li key='config'>Point the "{PROXY_EXTENSION_NAME}" extension at greenlight, with the shared secret:<code className='greenlight-code'>{CONFIG}</code></li>);
  }
  if (problem.kind === 'proxy-disabled' || problem.kind === 'extension-not-configured' || problem.kind === 'not-authorized') {
    steps.push(
      <li key='rbac'>
        Allow your role to invoke it (a 401 also comes from an Application whose project does not match):<code className='greenlight-code'>{RBAC}</code>
      </li>,
    );
  }
  if (problem.kind === 'backend-unreachable') {
    steps.push(<li key='svc'>Check that greenlight runs and that the url in extension.config reaches its Service from argocd-server.</li>);
  }
  return (
    <div className='greenlight-state' role='note' data-facts-problem={problem.kind}>
      <p className='greenlight-state__title'>{TITLES[problem.kind]}</p>
      <p>
        {problem.detail}
        {problem.kind === 'greenlight' ? ` (${problem.code})` : ''}.
      </p>
      {steps.length > 0 ? <ol>{steps}</ol> : null}
      <p className='greenlight-muted'>Everything else in greenlight's views works without it.</p>
      {props.onRetry ? (
        <button type='button' className='greenlight-button' onClick={props.onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
