import { fireEvent, screen } from '@testing-library/dom';
import * as React from 'react';
import { describe, expect, it } from 'vitest';
import { REACT_MAJOR, render } from './support/render.js';

function Counter() {
  const [n, setN] = React.useState(0);
  return (
    <button type='button' onClick={() => setN(n + 1)}>
      clicked {n}
    </button>
  );
}

describe('the render harness', () => {
  it('renders and updates with the React of this project', async () => {
    await render(<Counter />);
    fireEvent.click(screen.getByRole('button'));
    expect(await screen.findByText('clicked 1')).toBeTruthy();
    expect([16, 19]).toContain(REACT_MAJOR);
    expect(React.version).toMatch(REACT_MAJOR === 16 ? /^16\.14\./ : /^19\./);
  });
});
