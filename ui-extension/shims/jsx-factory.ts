/**
 * The JSX factory the extension bundle compiles to (build.mjs injects it): the host's
 * `React.createElement` and `React.Fragment` under one short name each, so that the hundreds of
 * elements in the bundle do not each spell out `React.createElement` (about 8 KB of 200).
 */
import * as React from 'react';

export const h = React.createElement;
export const Fragment = React.Fragment;
