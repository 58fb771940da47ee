import type { SuggestResult } from '../search/types.ts';

/** An algorithm's answer to a request for `want` points, sent when `askedAt` trials had ended. */
export interface Answer {
  readonly result: SuggestResult;
  readonly want: number;
  /** The controller's count of ended trials when it asked: an answer predates every trial that ended since. */
  readonly askedAt: number;
}

/**
 * The one suggestion request a controller keeps in flight, and its answer (or failure) until the controller's
 * launch stage takes it. The controller never awaits a request while trials run: it steps again when
 * `onSettled` says the answer is in.
 */
export class SuggestionRequest {
  private inFlight: Promise<void> | undefined;
  private answer: Answer | undefined;
  /** Why the last request failed; the controller fails the experiment with it. */
  failure: unknown;

  /** Whether a request is in flight. */
  get asking(): boolean {
    return this.inFlight !== undefined;
  }

  /** Whether an answer or a failure waits for the controller. */
  get ready(): boolean {
    return this.answer !== undefined || this.failure !== undefined;
  }

  /** Sends `request` (for `want` points, asked at `askedAt`); `onSettled` is called once it answered or failed. */
  start(request: Promise<SuggestResult>, want: number, askedAt: number, onSettled: () => void): void {
    this.inFlight = request
      .then(
        (result) => {
          this.answer = { result, want, askedAt };
        },
        (err: unknown) => {
          this.failure = err;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        onSettled();
      });
  }

  /** Resolves once the request in flight (if any) answered or failed; never rejects. */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  /** Takes the answer for the launch stage (undefined when none came). */
  take(): Answer | undefined {
    const a = this.answer;
    this.answer = undefined;
    return a;
  }
}
