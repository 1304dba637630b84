// `react` inside the bundle: the host's own React (Argo CD sets window.React since v2.2).
'use strict';
if (!window.React) throw new Error('greenlight: Argo CD did not expose window.React; this host cannot run UI extensions');
module.exports = window.React;
