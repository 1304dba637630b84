/**
 * @module greenlight's registrations with Argo CD's extension host, and nothing else. Every
 * component is wrapped in greenlight's own error boundary. Register functions missing from older
 * Argo CD versions are skipped; the system-level page waits for the app shell (argo-cd#29095).
 */
import { withBoundary } from './components/error-boundary.js';
import { FleetPage } from './containers/fleet-container.js';
import { ParityAppView } from './containers/parity-container.js';
import { StatusPanelItem } from './containers/status-panel-container.js';
import { hostGlobals } from './host.js';
import { whenAppShellReady } from './shell-ready.js';

((win: Window) => {
  const api = hostGlobals(win).extensionsAPI;
  if (!api) {
    console.error('greenlight: window.extensionsAPI is missing, so greenlight cannot register (Argo CD 2.5 or later is needed)');
    return;
  }
  api.registerAppViewExtension?.(withBoundary(ParityAppView, 'Parity view'), 'Parity', 'fa-code-compare');
  api.registerStatusPanelExtension?.(withBoundary(StatusPanelItem, 'Blue/Green status'), 'Blue/Green', 'greenlight-parity', withBoundary(ParityAppView, 'Parity flyout'));
  whenAppShellReady(win.document, () => api.registerSystemLevelExtension?.(withBoundary(FleetPage, 'Blue/Green page'), 'Blue/Green', '/greenlight', 'fa-circle-half-stroke'));
})(window);
