// One pane's error boundary: a pane that throws while rendering shows what failed in its place, and the rest of the
// panel keeps working (a bad imported field or a bug in one view must not blank the whole panel).
import { Component, Fragment, type ComponentChildren } from 'preact';

export interface PaneBoundaryProps {
  /** `data-pane` of the error, e.g. `detail`. */
  name: string;
  /** What the user calls the pane, e.g. `detail pane`. */
  label: string;
  /** When this changes (another session, another selection), a failed pane tries again by itself. */
  resetOn?: unknown;
  children: ComponentChildren;
}

interface PaneBoundaryState {
  error: unknown;
  failed: boolean;
  /** Bumped by "Try again": the pane's children are keyed by it, so they are mounted afresh. */
  attempt: number;
  resetOn: unknown;
}

/** An error's message, as plain text of a bounded length (a thrown value may be anything). */
function messageOf(error: unknown): string {
  let m: string;
  try {
    m = error instanceof Error ? error.message : String(error);
  } catch {
    m = 'an error that cannot be shown';
  }
  return m.length > 300 ? `${m.slice(0, 300)}…` : m;
}

export class PaneBoundary extends Component<PaneBoundaryProps, PaneBoundaryState> {
  state: PaneBoundaryState = { error: undefined, failed: false, attempt: 0, resetOn: this.props.resetOn };

  static getDerivedStateFromError(error: unknown): Partial<PaneBoundaryState> {
    return { error, failed: true };
  }

  static getDerivedStateFromProps(props: PaneBoundaryProps, state: PaneBoundaryState): Partial<PaneBoundaryState> | null {
    if (Object.is(props.resetOn, state.resetOn)) return null;
    return { resetOn: props.resetOn, error: undefined, failed: false, attempt: state.failed ? state.attempt + 1 : state.attempt };
  }

  componentDidCatch(error: unknown): void {
    // The stack, for whoever inspects the panel's own console; the pane shows only the message.
    console.error(`Frameline: the ${this.props.label} failed`, error);
  }

  private retry = () => this.setState((s) => ({ error: undefined, failed: false, attempt: s.attempt + 1 }));

  render() {
    const { name, label, children } = this.props;
    if (this.state.failed) {
      return (
        <div class="pane-error" role="alert" data-testid="pane-error" data-pane={name}>
          <span>
            The {label} failed: {messageOf(this.state.error)}
          </span>
          <button type="button" data-testid="pane-retry" onClick={this.retry}>
            Try again
          </button>
        </div>
      );
    }
    return <Fragment key={this.state.attempt}>{children}</Fragment>;
  }
}
