// `react-dom` inside the bundle: the host's own ReactDOM (Argo CD sets window.ReactDOM since v2.6).
'use strict';
if (!window.ReactDOM) throw new Error('greenlight: Argo CD did not expose window.ReactDOM (Argo CD 2.6 or later is needed)');
module.exports = window.ReactDOM;
