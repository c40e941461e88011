/**
 * Iterates `source` one item ahead: while the caller works on an item, the next is already being
 * read. For a job that streams batches from the database and writes after each one, the next
 * batch's read runs beside this batch's writes (the database serves them on different
 * connections) instead of after them. A caller that stops early (break, return, a throw) ends the
 * source, and a read that was in flight is awaited and its result (or error) dropped.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<T>> | null = iterator.next();
  try {
    for (;;) {
      const current: IteratorResult<T> = await next;
      next = null;
      if (current.done) return;
      next = iterator.next();
      // Handled below if the caller stops; observed here so a failed read never goes unhandled.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    if (next) await next.catch(() => undefined);
    await iterator.return?.(undefined);
  }
}
