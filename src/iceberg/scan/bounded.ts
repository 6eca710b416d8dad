/**
 * Maps `items` through `fn` with at most `limit` calls under way, yielding the results in the
 * order of `items` as soon as each one and those before it are done. A failure is thrown when its
 * turn comes; calls already started still run to their end, but their results are dropped.
 */
export async function* mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  let next = 0;
  const start = (): void => {
    const p = fn(items[next++] as T);
    // Rejections are seen when awaited in order; this only keeps early ones from being "unhandled".
    p.catch(() => undefined);
    window.push(p);
  };
  while (next < items.length && window.length < Math.max(1, limit)) start();
  while (window.length > 0) {
    const value = await (window.shift() as Promise<R>);
    if (next < items.length) start();
    yield value;
  }
}
