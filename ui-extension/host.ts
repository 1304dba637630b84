/**
 * @module The Argo CD extension host's contract, typed once. Shapes follow Argo CD's
 * `ui/src/app/shared/services/extensions-service.ts`; each register function exists only from
 * the Argo CD version noted, so all are optional.
 */
import type * as React from 'react';
import type { ArgoApplication } from '../generator/contract/ui-api.js';

/** The Application the host passes: Argo CD's full object. greenlight reads this subset, after parsing it. */
export type HostApplication = ArgoApplication;

/** The resource tree the host passes; greenlight does not read it. */
export interface HostApplicationTree {
  readonly nodes?: readonly unknown[] | null;
}

/** App view (`registerAppViewExtension`, v2.7+): `{application, tree}`. */
export interface AppViewProps {
  readonly application: HostApplication;
  readonly tree?: HostApplicationTree;
}

/** Status-panel item (`registerStatusPanelExtension`, v2.10+): `{application, openFlyout}`. */
export interface StatusPanelProps {
  readonly application: HostApplication;
  readonly openFlyout: () => void;
}

/** The status-panel item's flyout: `{application, tree}`. */
export interface FlyoutProps {
  readonly application: HostApplication;
  readonly tree?: HostApplicationTree;
}

export interface ExtensionsAPI {
  /** v2.7+; `shouldDisplay` v3.3+. Views are keyed by title; `icon` gets an automatic `fa ` prefix. */
  registerAppViewExtension?(component: React.ComponentType<AppViewProps>, title: string, icon: string, shouldDisplay?: (app: HostApplication) => boolean): void;
  /** v2.10+. `id` shares one space with top-bar items. */
  registerStatusPanelExtension?(component: React.ComponentType<StatusPanelProps>, title: string, id: string, flyout?: React.ComponentType<FlyoutProps>): void;
  /** v2.5+. The component gets no props; `path` is its route, `icon` gets an automatic `fa ` prefix. */
  registerSystemLevelExtension?(component: React.ComponentType, title: string, path: string, icon: string): void;
}

/** The globals the host sets on `window`. */
export interface HostGlobals {
  extensionsAPI?: ExtensionsAPI;
  React?: unknown;
  ReactDOM?: unknown;
  ReactJSXRuntime?: unknown;
  Moment?: unknown;
}

export function hostGlobals(win: Window): HostGlobals {
  return win as unknown as HostGlobals;
}
