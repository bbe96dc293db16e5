// Polls a probe until it yields a value or a deadline passes: the only way integration tests wait.
import { inspect } from 'node:util';

/**
 * Calls `probe` every `intervalMs` (default 100) until it resolves to something other than `undefined`, and returns it.
 * A probe that throws counts as "not yet". After `timeoutMs` it throws
 * `timed out after <timeoutMs>ms waiting for <what>` plus the last probe error, if any.
 * `undefined` means "not yet", so a boolean probe returns `true | undefined`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const why =
        lastError === undefined
          ? ''
          : `; last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)}`;
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}
