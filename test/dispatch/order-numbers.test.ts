import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import { createOrder } from '../../src/dispatch/index.ts';
import { formatOrderNumber, nextOrderNumber } from '../../src/dispatch/order-number.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { isDuplicateKeyError } from '../../src/shared/mongo-errors.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai, type SettlementWorld } from '../settlement/settlement.fixtures.ts';

const HOUR = 3_600_000;
const shanghaiDay = (instant: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(instant);

describe('order numbers (GD + business day + sequence)', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: SettlementWorld;
  let senior: string;
  let staff: string;

  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    const now = new Date();
    await w.issue(shanghaiDay(now).slice(0, 7), '2026-10');
    senior = await w.senior('north', ['three_nos']);
    staff = `Bearer ${signAccessToken(config, w.staff)}`;
  });

  /** An order created at `now` (service level, so the clock is the test's), scheduled two hours later. */
  const createAt = async (now: Date) => (await createOrder(
    { seniorId: senior, serviceTypeCode: w.clean.code, quantity: 1, scheduledStart: new Date(now.getTime() + 2 * HOUR).toISOString(), source: 'staff' },
    { actor: w.staff, config, requestId: null, now },
  )).order;

  it('numbers orders GD + the day of creation + a 4-digit sequence, on the answer, the stored order, the detail and the list', async () => {
    const scheduledStart = new Date(Date.now() + 24 * HOUR).toISOString();
    const post = () => request(app).post('/api/v1/service-orders').set('Authorization', staff).send({ seniorId: senior, serviceTypeCode: w.clean.code, quantity: 1, scheduledStart, source: 'hotline' });

    const first = await post();
    const second = await post();

    const day = shanghaiDay(new Date()).replaceAll('-', '');
    expect(first.status, JSON.stringify(first.body).slice(0, 300)).to.equal(201);
    expect(first.body.order.number).to.equal(`GD${day}0001`);
    expect(second.body.order.number).to.equal(`GD${day}0002`);
    expect((await OrderModel.findById(first.body.order.id).lean())!.number).to.equal(`GD${day}0001`);
    const detail = await request(app).get(`/api/v1/service-orders/${second.body.order.id}`).set('Authorization', staff);
    expect(detail.body.number).to.equal(`GD${day}0002`);
    const list = await request(app).get('/api/v1/service-orders').set('Authorization', staff);
    expect(list.status).to.equal(200);
    expect(list.body.items.map((item: { number: string }) => item.number)).to.deep.equal([`GD${day}0002`, `GD${day}0001`]);
  });

  it('takes the day in Asia/Shanghai: 00:30 Beijing time (16:30 UTC the day before) starts the new day at 0001', async () => {
    const lateEvening = await createAt(new Date('2026-10-04T15:50:00Z')); // 23:50 on 4 October in Shanghai
    const afterMidnight = await createAt(new Date('2026-10-04T16:30:00Z')); // 00:30 on 5 October
    const nextOne = await createAt(shanghai('2026-10-05 08:00'));

    expect([lateEvening.number, afterMidnight.number, nextOne.number]).to.deep.equal(['GD202610040001', 'GD202610050001', 'GD202610050002']);
  });

  it('gives each of many orders created at once its own number, and never reuses one a crash took before its insert', async () => {
    const now = shanghai('2026-10-06 09:00');
    const together = await Promise.all(Array.from({ length: 6 }, () => createAt(now)));
    // A number taken, then the process dies before the order is inserted: that number stays unused.
    const lost = await nextOrderNumber(now, config.businessTimeZone);
    const after = await createAt(now);

    expect(together.map((order) => order.number).sort()).to.deep.equal(['0001', '0002', '0003', '0004', '0005', '0006'].map((seq) => `GD20261006${seq}`));
    expect(lost).to.equal('GD202610060007');
    expect(after.number).to.equal('GD202610060008');
    expect(await OrderModel.countDocuments({ number: lost })).to.equal(0);
  });

  it('answers null for an order from before numbers; many such orders coexist, while a number is refused twice', async () => {
    const numbered = await createAt(shanghai('2026-10-07 09:00'));
    const stored = (await OrderModel.findById(numbered._id).lean())!;
    const { number: _number, ...withoutNumber } = stored;
    const legacy = [new mongoose.Types.ObjectId(), new mongoose.Types.ObjectId()];
    await OrderModel.collection.insertMany(legacy.map((_id) => ({ ...withoutNumber, _id })));

    const refused = await OrderModel.collection.insertOne({ ...withoutNumber, _id: new mongoose.Types.ObjectId(), number: numbered.number }).then(() => null, (error: unknown) => error);

    expect(isDuplicateKeyError(refused), String(refused)).to.equal(true);
    const old = await request(app).get(`/api/v1/service-orders/${String(legacy[0])}`).set('Authorization', staff);
    expect(old.status).to.equal(200);
    expect(old.body).to.include({ id: String(legacy[0]), number: null });
    const list = await request(app).get('/api/v1/service-orders').set('Authorization', staff);
    expect(Object.fromEntries(list.body.items.map((item: { id: string; number: string | null }) => [item.id, item.number]))).to.deep.equal({
      [String(legacy[1])]: null, [String(legacy[0])]: null, [String(numbered._id)]: numbered.number,
    });
  });

  it('grows the sequence past 4 digits on a day beyond 9,999 orders', () => {
    expect(formatOrderNumber('2026-12-03', 1)).to.equal('GD202612030001');
    expect(formatOrderNumber('2026-12-03', 9_999)).to.equal('GD202612039999');
    expect(formatOrderNumber('2026-12-03', 10_000)).to.equal('GD2026120310000');
  });
});
