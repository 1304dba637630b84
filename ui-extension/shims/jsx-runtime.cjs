// `react/jsx-runtime` inside the bundle, built from the host's window.React. Argo CD exposes
// window.ReactJSXRuntime only from v3.5, so this shim keeps a dependency that uses the
// automatic runtime working on older hosts too. greenlight's own code compiles JSX the classic way.
'use strict';
var React = window.React;
if (!React) throw new Error('greenlight: Argo CD did not expose window.React; this host cannot run UI extensions');
function configOf(props, key) {
  var config = {};
  for (var name in props) if (name !== 'children' && Object.prototype.hasOwnProperty.call(props, name)) config[name] = props[name];
  if (key !== undefined) config.key = key;
  return config;
}
function jsx(type, props, key) {
  var config = configOf(props, key);
  return props.children === undefined ? React.createElement(type, config) : React.createElement(type, config, props.children);
}
function jsxs(type, props, key) {
  var children = Array.isArray(props.children) ? props.children : [props.children];
  return React.createElement.apply(null, [type, configOf(props, key)].concat(children));
}
exports.jsx = jsx;
exports.jsxs = jsxs;
exports.jsxDEV = jsx;
exports.Fragment = React.Fragment;
