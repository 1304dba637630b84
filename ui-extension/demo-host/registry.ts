/**
 * @module A stand-in for Argo CD's extension registry (`extensions-service.ts`), used by the demo
 * page and the browser tests. It keeps Argo CD 3.5's behaviour on purpose: app views and
 * status-panel items are stored and read on mount, but system-level items are only emitted to
 * listeners subscribed at that moment, with no replay (argo-cd#29095).
 */
import type * as React from 'react';
import type { AppViewProps, ExtensionsAPI, FlyoutProps, StatusPanelProps } from '../host.js';

export interface AppViewExtension {
  readonly component: React.ComponentType<AppViewProps>;
  readonly title: string;
  readonly icon: string;
}

export interface StatusPanelExtension {
  readonly component: React.ComponentType<StatusPanelProps>;
  readonly title: string;
  readonly id: string;
  readonly flyout?: React.ComponentType<FlyoutProps> | undefined;
}

export interface SystemLevelExtension {
  readonly component: React.ComponentType;
  readonly title: string;
  readonly path: string;
  readonly icon: string;
}

export interface HostRegistry {
  readonly appViews: AppViewExtension[];
  readonly statusPanels: StatusPanelExtension[];
  /** Subscribes to system-level registrations made from now on. */
  onSystemLevel(listener: (ext: SystemLevelExtension) => void): () => void;
  /** Every call to the API, for the browser tests. */
  readonly calls: string[];
}

export function installExtensionsApi(win: Window): HostRegistry {
  const listeners = new Set<(ext: SystemLevelExtension) => void>();
  const registry: HostRegistry = {
    appViews: [],
    statusPanels: [],
    calls: [],
    onSystemLevel(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const api: Required<ExtensionsAPI> = {
    registerAppViewExtension(component, title, icon) {
      registry.calls.push(`appView:${title}`);
      registry.appViews.push({ component, title, icon });
    },
    registerStatusPanelExtension(component, title, id, flyout) {
      registry.calls.push(`statusPanel:${title}`);
      registry.statusPanels.push({ component, title, id, flyout });
    },
    registerSystemLevelExtension(component, title, path, icon) {
      registry.calls.push(`systemLevel:${title}:${listeners.size > 0 ? 'delivered' : 'dropped'}`);
      for (const listener of listeners) listener({ component, title, path, icon });
    },
  };
  (win as unknown as { extensionsAPI: ExtensionsAPI; greenlightDemoHost: HostRegistry }).extensionsAPI = api;
  (win as unknown as { greenlightDemoHost: HostRegistry }).greenlightDemoHost = registry;
  return registry;
}
