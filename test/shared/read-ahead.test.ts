import { expect } from 'chai';
import { readAhead } from '../../src/shared/read-ahead.ts';

/** A source that logs when each read starts and ends, and when it is closed. */
function source(count: number, log: string[], failAt: number | null = null) {
  return (async function* () {
    try {
      for (let i = 0; i < count; i += 1) {
        log.push(`read ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (i === failAt) throw new Error(`read ${i} failed`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  })();
}

describe('readAhead', () => {
  it('yields every item in order, starting the next read before the caller works on the current item', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const item of readAhead(source(3, log))) {
      log.push(`work ${item}`);
      seen.push(item);
    }

    expect(seen).to.deep.equal([0, 1, 2]);
    // The read after the last item finds the end (and closes the source) before the caller's last work.
    expect(log).to.deep.equal(['read 0', 'read 1', 'work 0', 'read 2', 'work 1', 'closed', 'work 2']);
  });

  it('closes the source when the caller stops early, after the read in flight', async () => {
    const log: string[] = [];
    for await (const item of readAhead(source(10, log))) {
      if (item === 1) break;
    }

    expect(log).to.deep.equal(['read 0', 'read 1', 'read 2', 'closed']);
  });

  it('drops the error of a read in flight when the caller has stopped, and passes it on when the caller asks for it', async () => {
    const log: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for await (const item of readAhead(source(10, log, 1))) {
        if (item === 0) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      const failed = await (async () => {
        for await (const _item of readAhead(source(10, [], 1))) { /* consume */ }
      })().then(() => null, (error: unknown) => error);

      expect(String(failed)).to.contain('read 1 failed');
      expect(unhandled).to.deep.equal([]);
      expect(log).to.deep.equal(['read 0', 'read 1', 'closed']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
