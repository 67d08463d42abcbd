/** Waiting in tests: a sleep, and polling for a condition with a timeout that says what was awaited. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `f` (every `intervalMs`, 25 by default) until it returns a truthy value, which is
 * returned. Errors thrown by `f` count as "not yet". On timeout the error says what was awaited,
 * for how long, and the last error or value seen.
 */
export async function waitFor<T>(f: () => T | Promise<T>, timeoutMs: number, what: string, intervalMs = 25): Promise<NonNullable<T>> {
  const started = Date.now();
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v as NonNullable<T>;
      lastValue = v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - started >= timeoutMs) {
      const detail = lastError !== undefined ? `last error: ${(lastError as Error)?.message ?? String(lastError)}` : `last value: ${JSON.stringify(lastValue)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${detail})`);
    }
    await sleep(intervalMs);
  }
}
