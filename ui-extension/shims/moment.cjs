// `moment` inside the bundle: the host's own Moment (Argo CD sets window.Moment since v2.8).
'use strict';
if (!window.Moment) throw new Error('greenlight: Argo CD did not expose window.Moment (Argo CD 2.8 or later is needed)');
module.exports = window.Moment;
