import cliProgress from 'cli-progress';
import type { Progress } from '../index.ts';
import { duration, num } from './format.ts';

/** Shows run progress: a bar on a TTY, otherwise a plain line per completed trial on stderr. */
export interface ProgressView {
  update(p: Progress): void;
  stop(): void;
}

/** Picks the view for the current stderr. `quiet` shows nothing. */
export function progressView(metric: string, quiet: boolean): ProgressView {
  if (quiet) return { update() {}, stop() {} };
  const describe = (p: Progress): string =>
    p.best === undefined ? 'best -' : `best ${metric}=${num(p.best)} (${p.bestTrial ?? ''})`;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: ' {bar} {value}/{total} trials | running {running} | failed {failed} | {best} | {elapsed}',
        hideCursor: true,
        stream: process.stderr,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const payload = { running: p.running, failed: p.failed, best: describe(p), elapsed: duration(p.elapsedMs) };
        const total = p.total ?? Math.max(p.done + p.running, 1);
        if (!started) {
          bar.start(total, p.done, payload);
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(p.done, payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = -1;
  return {
    update(p) {
      if (p.done === last) return;
      last = p.done;
      const total = p.total === undefined ? '?' : String(p.total);
      process.stderr.write(
        `[${p.done}/${total}] running ${p.running} failed ${p.failed} ${describe(p)} ${duration(p.elapsedMs)}\n`,
      );
    },
    stop() {},
  };
}
