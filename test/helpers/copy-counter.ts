/**
 * Runs `f` while counting the bytes Buffer.concat copies: how the parser tests prove that
 * input arriving in many chunks is joined once rather than re-copied at every chunk.
 */
export function countConcatCopies<T>(f: () => T): { result: T; copied: number } {
  const realConcat = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number): Buffer => {
    const r = realConcat(list, total);
    copied += r.length;
    return r;
  }) as typeof Buffer.concat;
  try {
    const result = f();
    return { result, copied };
  } finally {
    Buffer.concat = realConcat;
  }
}
