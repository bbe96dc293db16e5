// Live progress on a terminal (listr2): one line per host, planning → applying → result. Off on CI, pipes and --json.
import { Listr } from 'listr2';
import type { HostResult } from '../../engine/host-run.js';

export interface Progress {
  planned(r: HostResult): void;
  finished(r: HostResult): void;
  /** Ends every host still shown as running (the run stopped early), then waits for the last frame. */
  done(): Promise<void>;
}

interface Deferred {
  resolve: (title: string) => void;
  setTitle: (title: string) => void;
}

/** Below this width the live view cannot show a host's line; listr2 would wrap it a character per line. */
const MIN_COLUMNS = 20;

/**
 * listr2's live view wraps to the terminal's width; a pseudo-terminal that reports 0 columns (CI runners, `script`
 * without a size) made it print one character per line. There the plain renderer prints each change as a line.
 */
export function rendererFor(columns: number | undefined): 'default' | 'simple' {
  return columns !== undefined && columns >= MIN_COLUMNS ? 'default' : 'simple';
}

/** A listr2 list with a task per host; each task ends when its host finishes. */
export function hostProgress(hosts: readonly string[], verb: 'plan' | 'deploy' | 'rollback'): Progress {
  const slots = new Map<string, Deferred>();
  const list = new Listr(
    hosts.map((host) => ({
      title: `${host}: connecting and planning`,
      task: (_ctx: unknown, task: { title: string }) =>
        new Promise<void>((resolve) => {
          slots.set(host, {
            setTitle: (t) => void (task.title = t),
            resolve: (t) => {
              if (slots.get(host)?.resolve === undefined) return;
              task.title = t;
              slots.delete(host);
              resolve();
            },
          });
        }),
    })),
    // rig owns SIGINT (stop after the current step, release the locks: run-context-cli.ts); listr2's own listener
    // would exit the process at once, leaving the deploy lock held
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: rendererFor(process.stdout.columns),
      rendererOptions: { collapseSubtasks: false },
    },
  );
  const running = list.run().then(() => undefined);
  const title = (r: HostResult): string =>
    `${r.host}: ${r.status}${r.changes > 0 ? `, ${r.changes} change${r.changes === 1 ? '' : 's'}` : ''}`;
  return {
    planned: (r) =>
      slots
        .get(r.host)
        ?.setTitle(
          verb === 'deploy' && r.changes > 0 && !r.error
            ? `${r.host}: applying ${r.changes} change${r.changes === 1 ? '' : 's'}`
            : title(r),
        ),
    finished: (r) => slots.get(r.host)?.resolve(title(r)),
    done: () => {
      for (const [host, slot] of slots) slot.resolve(`${host}: not run`);
      return running;
    },
  };
}
