/**
 * Progress of image work (bootstrap, pull), as events the CLI renders. Plain
 * lines are enough for a terminal; the phase lets a UI group them.
 */
export type ImageProgressEvent =
  | {
      readonly kind: 'start';
      readonly target: string;
      readonly image: string;
      /** What is about to happen, e.g. `debootstrap bookworm (armhf)`. */
      readonly message: string;
    }
  | {
      /** One line of output from a bootstrap step or a pull status update. */
      readonly kind: 'line';
      readonly target: string;
      readonly image: string;
      readonly phase: string;
      readonly line: string;
    }
  | {
      readonly kind: 'done';
      readonly target: string;
      readonly image: string;
      readonly status: 'built' | 'skipped' | 'pulled';
      readonly message: string;
      readonly durationMs: number;
    };

/** Receives progress events; must not throw. */
export type OnImageProgress = (event: ImageProgressEvent) => void;

/** Renders an event as one plain terminal line. Pure. */
export function formatProgress(event: ImageProgressEvent): string {
  switch (event.kind) {
    case 'start':
      return `[${event.target}] ${event.image}: ${event.message}`;
    case 'line':
      return `[${event.target}] ${event.phase}: ${event.line}`;
    case 'done':
      return `[${event.target}] ${event.image}: ${event.message} (${(event.durationMs / 1000).toFixed(1)} s)`;
  }
}
