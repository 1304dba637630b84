/**
 * Renders a component with whichever React the test project resolved: React 19 (`createRoot`
 * and `React.act`) or React 16.14 (`ReactDOM.render` and `act` from react-dom/test-utils). The
 * same test files then run against both of Argo CD's Reacts. Queries come from
 * @testing-library/dom, with its events and waits wrapped in that React's `act`.
 */
import { configure } from '@testing-library/dom';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as TestUtils from 'react-dom/test-utils';

export const REACT_MAJOR = Number(React.version.split('.')[0]);

type Act = (callback: () => void | Promise<void>) => void | Promise<void>;
const act: Act = REACT_MAJOR >= 18 ? (React.act as Act) : (TestUtils.act as unknown as Act);
const actEnvironment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
actEnvironment.IS_REACT_ACT_ENVIRONMENT = true;

configure({
  eventWrapper: (callback) => {
    let result: unknown;
    void act(() => {
      result = callback();
    });
    return result;
  },
  // While Testing Library polls, React updates happen outside act (as in a browser); then flush.
  asyncWrapper: async (callback) => {
    const previous = actEnvironment.IS_REACT_ACT_ENVIRONMENT;
    actEnvironment.IS_REACT_ACT_ENVIRONMENT = false;
    try {
      return await callback();
    } finally {
      actEnvironment.IS_REACT_ACT_ENVIRONMENT = previous ?? true;
      await act(async () => {});
    }
  },
});

interface Mounted {
  readonly container: HTMLElement;
  unmount(): Promise<void>;
}

const mounted = new Set<Mounted>();

const legacy = ReactDOM as unknown as {
  render(element: React.ReactElement, container: Element): void;
  unmountComponentAtNode(container: Element): boolean;
};

export async function render(ui: React.ReactElement): Promise<Mounted & { rerender(next: React.ReactElement): Promise<void> }> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  let rerender: (next: React.ReactElement) => Promise<void>;
  let unmount: () => Promise<void>;
  if (REACT_MAJOR >= 18) {
    const root = ReactDOMClient.createRoot(container);
    rerender = async (next) => act(async () => root.render(next));
    unmount = async () => act(async () => root.unmount());
  } else {
    rerender = async (next) => act(async () => legacy.render(next, container));
    unmount = async () =>
      act(async () => {
        legacy.unmountComponentAtNode(container);
      });
  }
  await rerender(ui);
  const handle = {
    container,
    rerender,
    unmount: async () => {
      mounted.delete(handle);
      await unmount();
      container.remove();
    },
  };
  mounted.add(handle);
  return handle;
}

/** Unmounts everything rendered (the setup file calls it after each test). */
export async function cleanup(): Promise<void> {
  for (const m of [...mounted]) await m.unmount();
}
