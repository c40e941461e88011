import { expect } from 'chai';
import { adjustBalance, holdForOrder, openAccount, redeemForOrder, refundForOrder, releaseForOrder } from '../../src/vouchers/account.service.ts';
import { expireThrough, expirableFen } from '../../src/vouchers/expiry.ts';
import { applyMovement, applyMovementBatch, completePending, ledgerFaults, type BatchMovement } from '../../src/vouchers/ledger.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { reconcileLedger } from '../../src/vouchers/reconciliation.ts';
import { logger } from '../../src/shared/logger.ts';

const SENIOR = 'senior-ledger-1';

async function issue(seniorId: string, month: string, amountFen: number) {
  return applyMovement({ key: `issue:${seniorId}:${month}`, seniorId, type: 'issue', balanceDeltaFen: amountFen, heldDeltaFen: 0, month, createdBy: 'system', creditMonth: month });
}

/** Σ entries per account, the way reconciliation sees it. */
async function sumsOf(seniorId: string) {
  const entries = await EntryModel.find({ seniorId }).lean();
  return {
    balanceFen: entries.reduce((sum, e) => sum + e.balanceDeltaFen, 0),
    heldFen: entries.reduce((sum, e) => sum + e.heldDeltaFen, 0),
  };
}

async function expectConsistent(seniorId: string) {
  const account = (await AccountModel.findById(seniorId).lean())!;
  expect(account.pending, 'nothing left pending').to.equal(null);
  expect(await sumsOf(seniorId)).to.deep.equal({ balanceFen: account.balanceFen, heldFen: account.heldFen });
  expect(account.availableFen).to.equal(account.balanceFen - account.heldFen);
  expect(account.availableFen).to.be.at.least(0);
}

describe('voucher ledger', () => {
  useTestDatabase();
  beforeEach(async () => {
    await clearCollections();
    await openAccount(SENIOR, 'community-1');
  });

  it('applies each movement once: a retried step with the same key changes nothing', async () => {
    const first = await issue(SENIOR, '2026-10', 60_000);
    const again = await issue(SENIOR, '2026-10', 60_000);

    expect(first.isNew).to.equal(true);
    expect(again.isNew).to.equal(false);
    expect(await AccountModel.findById(SENIOR).lean()).to.include({ balanceFen: 60_000, heldFen: 0, availableFen: 60_000 });
    await expectConsistent(SENIOR);
  });

  it('applies a movement once when the same key is finished elsewhere between its read of the account and its update', async () => {
    let other: Promise<unknown> | null = null;
    ledgerFaults.afterAccountRead = async () => {
      if (other) return;
      ledgerFaults.afterAccountRead = null;
      // Another request retrying the same operation runs it to the end meanwhile.
      other = issue(SENIOR, '2026-10', 60_000);
      await other;
    };
    let first;
    try {
      first = await issue(SENIOR, '2026-10', 60_000);
    } finally {
      ledgerFaults.afterAccountRead = null;
    }

    expect(await other).to.have.property('isNew', true);
    expect(first.isNew).to.equal(false);
    expect(await AccountModel.findById(SENIOR).lean()).to.include({ balanceFen: 60_000, heldFen: 0, availableFen: 60_000, seq: 1 });
    expect(await EntryModel.countDocuments({ seniorId: SENIOR })).to.equal(1);
    await expectConsistent(SENIOR);
  });

  it('moves hold, release, redeem and refund with the deltas of API.md', async () => {
    await issue(SENIOR, '2026-10', 60_000);
    await holdForOrder({ orderId: 'o1', seniorId: SENIOR, amountFen: 4_000, by: 'u' });
    await holdForOrder({ orderId: 'o2', seniorId: SENIOR, amountFen: 1_500, by: 'u' });
    await releaseForOrder({ orderId: 'o1', by: 'u' });
    await redeemForOrder({ orderId: 'o2', by: 'u' });
    await refundForOrder({ orderId: 'o2', by: 'u', month: '2026-11', reason: '投诉成立' });

    const deltas = (await EntryModel.find({ seniorId: SENIOR }).sort({ createdAt: 1 }).lean()).map((e) => [e.type, e.balanceDeltaFen, e.heldDeltaFen]);
    expect(deltas).to.deep.equal([['issue', 60_000, 0], ['hold', 0, 4_000], ['hold', 0, 1_500], ['release', 0, -4_000], ['redeem', -1_500, -1_500], ['refund', 1_500, 0]]);
    expect(await AccountModel.findById(SENIOR).lean()).to.include({ balanceFen: 60_000, heldFen: 0, availableFen: 60_000 });
    await expectConsistent(SENIOR);
  });

  it('refuses a hold beyond the available balance with 422 INSUFFICIENT_BALANCE, changing nothing', async () => {
    await issue(SENIOR, '2026-10', 1_000);

    const error = await holdForOrder({ orderId: 'big', seniorId: SENIOR, amountFen: 1_001, by: 'u' }).catch((e: unknown) => e);

    expect(error).to.have.property('code', 'INSUFFICIENT_BALANCE');
    expect(await EntryModel.countDocuments({ type: 'hold' })).to.equal(0);
    expect(await AccountModel.findById(SENIOR).lean()).to.include({ heldFen: 0, availableFen: 1_000 });
  });

  it('with 50 concurrent holds against a balance that fits only some, never holds more than the balance', async () => {
    await issue(SENIOR, '2026-10', 10_000);
    const amounts = Array.from({ length: 50 }, (_, i) => 300 + (i % 7) * 100);

    const results = await Promise.allSettled(amounts.map((amountFen, i) => holdForOrder({ orderId: `c${i}`, seniorId: SENIOR, amountFen, by: 'u' })));

    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.every((r) => (r as PromiseRejectedResult).reason.code === 'INSUFFICIENT_BALANCE')).to.equal(true);
    const holds = await EntryModel.find({ type: 'hold' }).lean();
    const heldTotal = holds.reduce((sum, e) => sum + e.heldDeltaFen, 0);
    expect(holds).to.have.length(results.length - refused.length);
    expect(heldTotal).to.be.at.most(10_000);
    expect(refused.length).to.be.greaterThan(0);
    for (const [i, result] of results.entries()) {
      const entry = holds.find((h) => h._id === `hold:c${i}`);
      if (result.status === 'fulfilled') expect(entry?.heldDeltaFen).to.equal(amounts[i]);
      else expect(entry).to.equal(undefined);
    }
    await expectConsistent(SENIOR);
  });

  it('repairs a crash between the account write and the entry: the retry finishes it, once', async () => {
    await issue(SENIOR, '2026-10', 5_000);
    ledgerFaults.afterAccountUpdate = () => { throw new Error('process killed'); };
    const crashed = await holdForOrder({ orderId: 'crash', seniorId: SENIOR, amountFen: 2_000, by: 'u' }).catch((e: unknown) => e);
    ledgerFaults.afterAccountUpdate = null;

    const afterCrash = (await AccountModel.findById(SENIOR).lean())!;
    expect((crashed as Error).message).to.equal('process killed');
    expect(afterCrash.heldFen).to.equal(2_000);
    expect(afterCrash.pending?.key).to.equal('hold:crash');
    expect(await EntryModel.findById('hold:crash').lean()).to.equal(null);

    const retried = await holdForOrder({ orderId: 'crash', seniorId: SENIOR, amountFen: 2_000, by: 'u' });

    expect(retried.isNew).to.equal(false);
    expect(await AccountModel.findById(SENIOR).lean()).to.include({ heldFen: 2_000, availableFen: 3_000 });
    await expectConsistent(SENIOR);
  });

  it('repairs a crash when another operation on the account comes first', async () => {
    await issue(SENIOR, '2026-10', 5_000);
    ledgerFaults.afterAccountUpdate = () => { throw new Error('process killed'); };
    await holdForOrder({ orderId: 'lost', seniorId: SENIOR, amountFen: 1_000, by: 'u' }).catch(() => undefined);
    ledgerFaults.afterAccountUpdate = null;

    await holdForOrder({ orderId: 'next', seniorId: SENIOR, amountFen: 500, by: 'u' });

    expect(await EntryModel.findById('hold:lost').lean()).to.include({ heldDeltaFen: 1_000 });
    await expectConsistent(SENIOR);
  });

  it('finishes a pending movement found directly (the reconciler\'s repair)', async () => {
    await issue(SENIOR, '2026-10', 5_000);
    ledgerFaults.afterAccountUpdate = () => { throw new Error('killed'); };
    await adjustBalance({ seniorId: SENIOR, amountFen: -700, reason: '多发冲回', by: 'fin', month: '2026-10', idempotencyKey: 'k1' }).catch(() => undefined);
    ledgerFaults.afterAccountUpdate = null;

    const stuck = (await AccountModel.findById(SENIOR).lean())!;
    await completePending(stuck);
    await completePending(stuck); // a second repairer (two instances) changes nothing

    await expectConsistent(SENIOR);
    expect(await EntryModel.countDocuments({ type: 'adjust' })).to.equal(1);
    expect(await AccountModel.findById(SENIOR).lean()).to.include({ balanceFen: 4_300 });
  });

  it('lets reconciliation finish a movement a crash left pending, and then find nothing wrong', async () => {
    await issue(SENIOR, '2026-10', 5_000);
    ledgerFaults.afterAccountUpdate = () => { throw new Error('killed'); };
    await holdForOrder({ orderId: 'r1', seniorId: SENIOR, amountFen: 1_200, by: 'u' }).catch(() => undefined);
    ledgerFaults.afterAccountUpdate = null;

    const counts = await reconcileLedger('run-1', logger);

    expect(counts).to.include({ accounts: 1, mismatches: 0, pendingCompleted: 1 });
    await expectConsistent(SENIOR);
  });

  describe('a batch of movements (the monthly jobs)', () => {
    const SENIORS = ['batch-a', 'batch-b', 'batch-c'];
    const creditNovember = async (): Promise<BatchMovement[]> => {
      const accounts = await AccountModel.find({ _id: { $in: SENIORS } }).lean();
      return accounts.map((account) => {
        const movement = { key: `issue:${String(account._id)}:2026-11`, seniorId: String(account._id), type: 'issue' as const, balanceDeltaFen: 3_000, heldDeltaFen: 0, month: '2026-11', createdBy: 'system', creditMonth: '2026-11' };
        return { account: { ...account, _id: String(account._id) }, movement, fallback: () => applyMovement(movement) };
      });
    };
    beforeEach(async () => {
      for (const seniorId of SENIORS) {
        await openAccount(seniorId, 'community-1');
        await issue(seniorId, '2026-10', 5_000);
      }
    });

    it('applies each movement once with one insert and one update for the batch, and reconciles', async () => {
      const results = await applyMovementBatch(await creditNovember());

      expect([...results.values()].map((result) => result.applied?.isNew)).to.deep.equal([true, true, true]);
      for (const seniorId of SENIORS) {
        expect(await AccountModel.findById(seniorId).lean()).to.include({ balanceFen: 8_000, availableFen: 8_000 });
        await expectConsistent(seniorId);
      }
      expect(await reconcileLedger('batch-1', logger)).to.include({ mismatches: 0, pendingCompleted: 0 });
    });

    it('leaves an account that moved after the batch read it to the one-by-one way, which sees the move', async () => {
      const batch = await creditNovember();
      await holdForOrder({ orderId: 'meanwhile', seniorId: 'batch-b', amountFen: 1_000, by: 'u' });

      await applyMovementBatch(batch);

      expect(await AccountModel.findById('batch-b').lean()).to.include({ balanceFen: 8_000, heldFen: 1_000, availableFen: 7_000 });
      for (const seniorId of SENIORS) await expectConsistent(seniorId);
    });

    it('ends a batch killed after some account updates, run again, with every movement applied exactly once', async () => {
      let updates = 0;
      ledgerFaults.afterAccountUpdate = () => {
        updates += 1;
        if (updates === 2) throw new Error('process killed');
      };
      const crashed = await applyMovementBatch(await creditNovember()).catch((error: unknown) => error);
      ledgerFaults.afterAccountUpdate = null;
      const parked = await AccountModel.countDocuments({ _id: { $in: SENIORS }, pending: { $ne: null } });

      const again = await applyMovementBatch(await creditNovember());

      expect((crashed as Error).message).to.equal('process killed');
      expect(parked).to.equal(2);
      expect([...again.values()].map((result) => result.applied?.isNew).sort()).to.deep.equal([false, false, true]);
      for (const seniorId of SENIORS) {
        expect(await AccountModel.findById(seniorId).lean()).to.include({ balanceFen: 8_000 });
        await expectConsistent(seniorId);
      }
      expect(await EntryModel.countDocuments({ month: '2026-11' })).to.equal(3);
    });
  });

  it('refuses a negative adjustment that would take available below zero', async () => {
    await issue(SENIOR, '2026-10', 1_000);
    await holdForOrder({ orderId: 'h', seniorId: SENIOR, amountFen: 800, by: 'u' });

    const error = await adjustBalance({ seniorId: SENIOR, amountFen: -300, reason: 'x', by: 'fin', month: '2026-10' }).catch((e: unknown) => e);

    expect(error).to.have.property('code', 'INSUFFICIENT_BALANCE');
    await expectConsistent(SENIOR);
  });

  describe('expiry', () => {
    it('end of month: the unspent available balance of the month expires, held amounts stay', async () => {
      await issue(SENIOR, '2026-09', 60_000);
      await holdForOrder({ orderId: 'open', seniorId: SENIOR, amountFen: 5_000, by: 'u' });
      await holdForOrder({ orderId: 'done', seniorId: SENIOR, amountFen: 10_000, by: 'u' });
      await redeemForOrder({ orderId: 'done', by: 'u' });

      const expired = await expireThrough({ seniorId: SENIOR, cutoffMonth: '2026-09', key: `expire:${SENIOR}:2026-09`, month: '2026-09', by: 'system', reason: 'end_of_month' });
      const again = await expireThrough({ seniorId: SENIOR, cutoffMonth: '2026-09', key: `expire:${SENIOR}:2026-09`, month: '2026-09', by: 'system', reason: 'end_of_month' });

      expect(expired!.entry.balanceDeltaFen).to.equal(-45_000);
      expect(again).to.equal(null);
      expect(await AccountModel.findById(SENIOR).lean()).to.include({ balanceFen: 5_000, heldFen: 5_000, availableFen: 0 });
      await expectConsistent(SENIOR);
    });

    it('rollover: only credits older than the window expire, spending taken from the oldest first', async () => {
      await issue(SENIOR, '2026-07', 30_000);
      await issue(SENIOR, '2026-08', 30_000);
      await issue(SENIOR, '2026-09', 30_000);
      await holdForOrder({ orderId: 'spent', seniorId: SENIOR, amountFen: 40_000, by: 'u' });
      await redeemForOrder({ orderId: 'spent', by: 'u' });

      // Window of 2 months: at the start of October, credits of July and earlier lapse. 40,000 fen
      // were spent, which used up July (30,000) and 10,000 of August: nothing of July is left.
      expect(expirableFen((await AccountModel.findById(SENIOR).lean())!, '2026-07')).to.equal(0);
      // A month later August lapses: 20,000 of it remain.
      const expired = await expireThrough({ seniorId: SENIOR, cutoffMonth: '2026-08', key: `expire:${SENIOR}:2026-08`, month: '2026-08', by: 'system', reason: 'rollover' });

      expect(expired!.entry.balanceDeltaFen).to.equal(-20_000);
      expect(await AccountModel.findById(SENIOR).lean()).to.include({ balanceFen: 30_000 });
      await expectConsistent(SENIOR);
    });
  });

  it('keeps Σ entries = account figures and conserves money over 1,000 random operations on 20 accounts', async function () {
    this.timeout(300_000);
    const seniors = Array.from({ length: 20 }, (_, i) => `prop-${i}`);
    await Promise.all(seniors.map((id) => openAccount(id, 'community-1')));
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(items: T[]) => items[Math.floor(random() * items.length)] as T;
    const orders: { orderId: string; state: 'held' | 'released' | 'redeemed' | 'refunded' }[] = [];
    const months = ['2026-01', '2026-02', '2026-03', '2026-04'];
    const expected = { issued: 0, redeemed: 0, expired: 0, refunded: 0, adjusted: 0 };

    const operations = Array.from({ length: 1_000 }, (_, i) => i);
    // Run in waves of 10 concurrent operations to mix contention with sequence.
    for (let wave = 0; wave < operations.length; wave += 10) {
      await Promise.all(operations.slice(wave, wave + 10).map(async (i) => {
        const seniorId = pick(seniors);
        const roll = random();
        try {
          if (roll < 0.2) {
            const month = pick(months);
            const result = await issue(seniorId, month, 1_000 + Math.floor(random() * 5_000));
            if (result.isNew) expected.issued += result.entry.balanceDeltaFen;
          } else if (roll < 0.5) {
            const orderId = `p${i}`;
            await holdForOrder({ orderId, seniorId, amountFen: 100 + Math.floor(random() * 3_000), by: 'u' });
            orders.push({ orderId, state: 'held' });
          } else if (roll < 0.62) {
            const order = orders.find((o) => o.state === 'held');
            if (order) { order.state = 'released'; await releaseForOrder({ orderId: order.orderId, by: 'u' }); }
          } else if (roll < 0.82) {
            const order = orders.find((o) => o.state === 'held');
            if (order) { order.state = 'redeemed'; const r = await redeemForOrder({ orderId: order.orderId, by: 'u' }); if (r?.isNew) expected.redeemed += -r.entry.balanceDeltaFen; }
          } else if (roll < 0.86) {
            const order = orders.find((o) => o.state === 'redeemed');
            if (order) { order.state = 'refunded'; const r = await refundForOrder({ orderId: order.orderId, by: 'u', month: '2026-04', reason: 'x' }); expected.refunded += r.entry.balanceDeltaFen; }
          } else if (roll < 0.93) {
            const amountFen = Math.floor(random() * 4_000) - 2_000 || 1;
            const r = await adjustBalance({ seniorId, amountFen, reason: 'x', by: 'fin', month: '2026-04' });
            expected.adjusted += r.entry.balanceDeltaFen;
          } else {
            const cutoff = pick(months);
            const r = await expireThrough({ seniorId, cutoffMonth: cutoff, key: `expire:${seniorId}:${cutoff}:${i}`, month: cutoff, by: 'system', reason: 'x' });
            if (r?.isNew) expected.expired += -r.entry.balanceDeltaFen;
          }
        } catch (error) {
          if ((error as { code?: string }).code !== 'INSUFFICIENT_BALANCE') throw error;
        }
      }));
    }

    let balances = 0;
    for (const seniorId of seniors) {
      await expectConsistent(seniorId);
      balances += (await AccountModel.findById(seniorId).lean())!.balanceFen;
    }
    // issued = balances + redeemed + expired − refunds ± adjustments
    expect(expected.issued).to.equal(balances + expected.redeemed + expected.expired - expected.refunded - expected.adjusted);
  });
});
