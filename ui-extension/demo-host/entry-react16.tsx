/**
 * @module The demo host as Argo CD 3.4 builds it (the stand-in behaves like 3.4.7): React 16.14 and a synchronous
 * `ReactDOM.render`, with window.React and ReactDOM only (no ReactJSXRuntime). Built only for
 * the browser tests, against the React 16 in test/hosts/react16.
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { installExtensionsApi } from './registry.js';
import { App, injectHostStyles } from './shell.js';

const globals = window as unknown as Record<string, unknown>;
globals['React'] = React;
globals['ReactDOM'] = ReactDOM;
globals['greenlightDemoHostReact'] = React.version;
const registry = installExtensionsApi(window);
injectHostStyles(document, '3.4');
const root = document.getElementById('app');
// React 16's render; @types/react-dom 19 no longer declares it.
const legacy = ReactDOM as unknown as { render(element: React.ReactElement, container: Element): void };
if (root) legacy.render(<App registry={registry} line='3.4' />, root);
