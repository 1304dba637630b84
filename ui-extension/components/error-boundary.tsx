/**
 * @module greenlight's own error boundary, around every registered component: Argo CD wraps
 * only resource tabs in one, and a throw in an app view or status panel would otherwise take
 * the whole application page down. Class components and getDerivedStateFromError exist in both
 * React 16.14 and React 19.
 */
import * as React from 'react';
import { ensureStyles } from '../styles.js';

interface BoundaryProps {
  readonly title: string;
  readonly children?: React.ReactNode;
}

interface BoundaryState {
  readonly error: Error | null;
}

export class ErrorBoundary extends React.Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: null };

  constructor(props: BoundaryProps) {
    super(props);
    ensureStyles();
  }

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: { componentStack?: string | null }): void {
    console.error(`greenlight: the ${this.props.title} failed`, error, info.componentStack ?? '');
  }

  override render(): React.ReactNode {
    if (this.state.error) {
      return (
        <div className='greenlight greenlight-error' role='alert'>
          <strong>greenlight's {this.props.title} failed:</strong> {this.state.error.message}. The rest of Argo CD is not affected; the browser console has the
          details.{' '}
          <button type='button' className='greenlight-button' onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children ?? null;
  }
}

/** Wraps a component in greenlight's error boundary, keeping its props. */
export function withBoundary<P extends object>(Component: React.ComponentType<P>, title: string): React.ComponentType<P> {
  const Wrapped = (props: P) => (
    <ErrorBoundary title={title}>
      <Component {...props} />
    </ErrorBoundary>
  );
  Wrapped.displayName = `greenlight(${title})`;
  return Wrapped;
}
