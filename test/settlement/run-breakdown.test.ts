import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { runSettlement, settlementFaults } from '../../src/settlement/index.ts';
import { BREAKDOWN_BUCKETS } from '../../src/settlement/run-breakdown.ts';
import { RunProgressModel } from '../../src/settlement/settlement.model.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai, type SettlementWorld } from './settlement.fixtures.ts';

type Breakdown = Record<(typeof BREAKDOWN_BUCKETS)[number] | 'ordersSeen', number> & { heldBackByReason: { reasonCode: string; count: number }[] };

/** The buckets' sum: every order the run saw is in exactly one. */
const bucketSum = (figures: Record<string, unknown>) => BREAKDOWN_BUCKETS.reduce((sum, bucket) => sum + (figures[bucket] as number), 0);
const nonZero = (breakdown: Breakdown) => Object.fromEntries(BREAKDOWN_BUCKETS.filter((bucket) => breakdown[bucket] > 0).map((bucket) => [bucket, breakdown[bucket]]));

describe('settlement run breakdown: where every order the run saw went', function () {
  this.timeout(180_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let w: SettlementWorld;

  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    await w.issue('2026-09', '2026-10');
  });
  afterEach(() => {
    settlementFaults.afterWrite = null;
  });

  const run = (period: string) => request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period });
  const post = (path: string, body: object) => request(app).post(`/api/v1${path}`).set('Authorization', w.finance.authorization).send(body);
  const detail = async (id: string) => (await request(app).get(`/api/v1/settlements/statements/${id}`).set('Authorization', w.finance.authorization)).body;

  it('puts each order in one bucket — new, carried over, held back by reason, disputed, not billable — adding up to the orders seen', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const nest = await w.senior('south', ['empty_nest']);
    const september = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-09-20 09:00') });
    const fine = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const duplicate = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:30'), secondCaregiver: true });
    const unconfirmed = await w.visit({ seniorId: poor, side: 'north', service: 'meal', at: shanghai('2026-10-10 11:00') });
    await OrderModel.updateOne({ _id: unconfirmed }, { $set: { confirmation: null } });
    await w.visit({ seniorId: nest, side: 'south', service: 'meal', at: shanghai('2026-10-08 11:00') });
    const disputed = await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-09 09:00') });
    expect((await post(`/service-orders/${disputed}/dispute`, { reason: '家属投诉未上门' })).status).to.equal(200);
    await w.cancelledByProvider({ seniorId: poor, side: 'north', at: shanghai('2026-10-12 09:00') });

    const res = await run('2026-10');

    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(200);
    const { breakdown, counts } = res.body as { breakdown: Breakdown; counts: Record<string, number> };
    expect(breakdown.ordersSeen).to.equal(7);
    expect(nonZero(breakdown)).to.deep.equal({ newLines: 2, carriedOver: 1, heldBack: 2, disputed: 1, notBillable: 1 });
    expect(bucketSum(breakdown)).to.equal(breakdown.ordersSeen);
    expect(breakdown.heldBackByReason).to.deep.equal([{ reasonCode: 'NO_CONFIRMATION', count: 1 }, { reasonCode: 'DUPLICATE_VISIT', count: 1 }]);
    // The job run's own counts say the same (a run that was not resumed), and add up too.
    expect(bucketSum(counts)).to.equal(counts.ordersSeen);
    for (const bucket of BREAKDOWN_BUCKETS) expect(counts[bucket], bucket).to.equal(breakdown[bucket]);
    const progress = await request(app).get('/api/v1/settlements/runs/2026-10').set('Authorization', w.finance.authorization);
    expect(progress.body.breakdown).to.deep.equal(breakdown);
    expect(progress.body.ordersSeen).to.equal(7);
    // What the figures stand for is on the statements: 3 lines (one carried over), the 2 held back.
    const statements = res.body.statements as { id: string; providerId: string; lineCount: number; heldBackCount: number }[];
    const north = await detail(statements.find((s) => s.providerId === w.providerA.id)!.id);
    expect(north.lines.map((line: { orderId: string; carriedOver: boolean }) => [line.orderId, line.carriedOver])).to.have.deep.members([[september, true], [fine, false]]);
    expect(north.heldBack.map((row: { orderId: string }) => row.orderId)).to.have.members([duplicate, unconfirmed]);
    expect(statements.find((s) => s.providerId === w.providerB.id)!.lineCount).to.equal(1);
    // The duplicate's reason names the visit it overlaps by its number, as finance sees it.
    const fineNumber = (await OrderModel.findById(fine).lean())!.number as string;
    expect(fineNumber).to.match(/^GD\d{12}$/);
    expect(north.heldBack.find((row: { orderId: string }) => row.orderId === duplicate).detail).to.equal(`与同一老人同日同项服务的工单 ${fineNumber} 时间重叠`);
    expect(north.lines.find((line: { orderId: string }) => line.orderId === fine).orderNumber).to.equal(fineNumber);
  });

  it('sorts a re-run\'s orders as unchanged, already settled and deferred to the next month, still adding up', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const nest = await w.senior('south', ['empty_nest']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    await w.visit({ seniorId: poor, side: 'north', service: 'meal', at: shanghai('2026-10-06 11:00') });
    const southVisit = await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-08 09:00') });
    const first = await run('2026-10');
    const south = (first.body.statements as { id: string; providerId: string }[]).find((s) => s.providerId === w.providerB.id)!;
    expect((await post(`/settlements/statements/${south.id}/approve`, {})).status).to.equal(200);
    // A settled visit disputed and upheld is confirmed again, naming its approved statement.
    expect((await post(`/service-orders/${southVisit}/dispute`, { reason: '回访核实' })).status).to.equal(200);
    expect((await post(`/service-orders/${southVisit}/resolve-dispute`, { outcome: 'valid', note: '核实已上门' })).status).to.equal(200);
    // Confirmed after its provider's October statement was approved: it waits for November.
    const late = await w.visit({ seniorId: nest, side: 'south', service: 'meal', at: shanghai('2026-10-20 11:00') });

    const rerun = await run('2026-10');

    const { breakdown, counts } = rerun.body as { breakdown: Breakdown; counts: Record<string, number> };
    expect(breakdown.ordersSeen).to.equal(4);
    expect(nonZero(breakdown)).to.deep.equal({ unchanged: 2, alreadySettled: 1, deferred: 1 });
    expect(bucketSum(breakdown)).to.equal(breakdown.ordersSeen);
    expect(bucketSum(counts)).to.equal(counts.ordersSeen);
    expect(counts.linesAdded).to.equal(0);
    expect(counts.ordersMarkedSettled).to.equal(1);
    expect(await OrderModel.findById(southVisit).lean()).to.include({ status: 'settled', statementId: south.id });
    expect(await OrderModel.findById(late).lean()).to.include({ status: 'confirmed', statementId: null });
  });

  it('keeps the period\'s breakdown whole across a crash mid-batch and its resumption: the redone batch counts as unchanged', async () => {
    const alone = await w.senior('north', ['living_alone']);
    for (let day = 1; day <= 6; day += 1) await w.visit({ seniorId: alone, side: 'north', at: shanghai(`2026-10-0${day} 09:00`) });
    let batches = 0;
    settlementFaults.afterWrite = (step) => {
      if (step === 'lines' && (batches += 1) === 2) throw new Error('injected crash after the second batch\'s lines');
    };
    const crashed = await runSettlement('2026-10', { by: 'test', runId: 'crash', config, batchSize: 2 }).then(() => null, (error: unknown) => error);
    expect(String(crashed)).to.contain('injected crash');
    settlementFaults.afterWrite = null;

    const resumed = await runSettlement('2026-10', { by: 'test', runId: 'resume', config, batchSize: 2 });

    const progress = (await RunProgressModel.findById('2026-10').lean())!;
    const breakdown = progress.breakdown as Record<string, number>;
    expect(progress).to.include({ status: 'completed', ordersSeen: 6 });
    // Batch 1 recorded before the crash; batch 2's lines were written but not recorded: resumed, they are found.
    expect(nonZero(breakdown as unknown as Breakdown)).to.deep.equal({ newLines: 6 - 2, unchanged: 2 });
    expect(bucketSum(breakdown)).to.equal(progress.ordersSeen);
    expect(resumed).to.include({ resumed: 1, ordersSeen: 4, newLines: 2, unchanged: 2 });
    expect(bucketSum(resumed as unknown as Record<string, number>)).to.equal(resumed.ordersSeen);
  });
});
