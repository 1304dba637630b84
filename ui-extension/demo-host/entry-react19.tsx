/**
 * @module The demo host as Argo CD 3.5 builds it (the stand-in behaves like 3.5.1): React 19, `createRoot` (so the app shell
 * renders after the deferred extensions.js has run), and window.React, ReactDOM and
 * ReactJSXRuntime for extensions.
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as ReactJSXRuntime from 'react/jsx-runtime';
import { installExtensionsApi } from './registry.js';
import { App, injectHostStyles } from './shell.js';

const globals = window as unknown as Record<string, unknown>;
globals['React'] = React;
globals['ReactDOM'] = ReactDOM;
globals['ReactJSXRuntime'] = ReactJSXRuntime;
globals['greenlightDemoHostReact'] = React.version;
const registry = installExtensionsApi(window);
injectHostStyles(document, '3.5');
const root = document.getElementById('app');
if (root) createRoot(root).render(<App registry={registry} line='3.5' />);
