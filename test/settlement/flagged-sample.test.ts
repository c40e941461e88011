import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { runSettlement, settlementFaults } from '../../src/settlement/index.ts';
import { SampleCheckModel } from '../../src/settlement/settlement.model.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai, type SettlementWorld } from './settlement.fixtures.ts';

// Every visit flagged at check-in/out (geofence, short visit, overlap) is called back before its
// statement is approved, beside the random share (which keeps its size: a flagged check never takes
// a drawn place), and a crash between a flagged visit's line and its check is finished by the next run.

describe('settlement review: flagged visits are always called back', function () {
  this.timeout(120_000);
  useTestDatabase();

  async function month(w: SettlementWorld): Promise<{ all: string[]; flagged: string[] }> {
    const poor = await w.senior('north', ['three_nos']);
    const all: string[] = [];
    for (let day = 1; day <= 8; day += 1) all.push(await w.visit({ seniorId: poor, side: 'north', at: shanghai(`2026-10-0${day} 09:00`) }));
    // As check-in/out would have flagged them (a short visit, a check-in far from home).
    const flagged = [all[1]!, all[5]!];
    await OrderModel.updateMany({ _id: { $in: flagged } }, { $set: { isFlagged: true, flags: ['short_visit'] } });
    return { all, flagged };
  }
  const checks = async () => (await SampleCheckModel.find({}).sort({ _id: 1 }).lean()).map((check) => [check._id, check.reason]);

  describe('with a random share of 20%', () => {
    const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '20' } });
    let w: SettlementWorld;
    beforeEach(async () => {
      await clearCollections();
      w = await settlementWorld(config);
      await w.issue('2026-10');
    });

    it('calls back both flagged visits and still draws the full share among the others; approval waits for them', async () => {
      const { flagged } = await month(w);
      const res = await request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2026-10' });
      expect(res.status).to.equal(200);

      const opened = await checks();
      expect(opened.filter(([, reason]) => reason === 'flagged').map(([id]) => id).sort()).to.deep.equal([...flagged].sort());
      // ceil(20% of 8) = 2 drawn, none of them a flagged visit.
      const drawn = opened.filter(([, reason]) => reason === 'sample').map(([id]) => id as string);
      expect(drawn).to.have.length(2);
      expect(drawn.filter((id) => flagged.includes(id))).to.deep.equal([]);

      const statementId = res.body.statements[0].id as string;
      const detail = (await request(app).get(`/api/v1/settlements/statements/${statementId}`).set('Authorization', w.finance.authorization)).body;
      expect(detail.sampleChecks.map((check: { reason: string }) => check.reason).sort()).to.deep.equal(['flagged', 'flagged', 'sample', 'sample']);
      const approval = await request(app).post(`/api/v1/settlements/statements/${statementId}/approve`).set('Authorization', w.finance.authorization).send({});
      expect(approval.status).to.equal(422);
      expect(approval.body.error.openChecks).to.equal(4);

      // A re-run changes nothing.
      await request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2026-10' });
      expect(await checks()).to.deep.equal(opened);
    });
  });

  describe('without a random share', () => {
    const { config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
    let w: SettlementWorld;
    beforeEach(async () => {
      await clearCollections();
      w = await settlementWorld(config);
      await w.issue('2026-10');
    });
    afterEach(() => {
      settlementFaults.afterWrite = null;
    });

    it('still calls back the flagged visits, also when the run died between their lines and their checks', async () => {
      const { flagged } = await month(w);
      settlementFaults.afterWrite = (step) => {
        if (step === 'penalties') throw new Error('killed after the penalties');
      };
      const crashed = await runSettlement('2026-10', { by: 'test', runId: 'crash', config, batchSize: 100 }).then(() => null, (error: unknown) => error);
      expect(String(crashed)).to.contain('killed after the penalties');
      expect(await checks()).to.deep.equal([]);

      settlementFaults.afterWrite = null;
      await runSettlement('2026-10', { by: 'test', runId: 'resume', config, batchSize: 100 });
      expect(await checks()).to.deep.equal([...flagged].sort().map((id) => [id, 'flagged']));
    });
  });
});
