import { expect } from 'chai';
import { generateDistrict } from '../../scripts/district-generator.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { runSettlement } from '../../src/settlement/index.ts';
import { LineModel, StatementModel } from '../../src/settlement/settlement.model.ts';
import { logger } from '../../src/shared/logger.ts';
import { reconcileLedger } from '../../src/vouchers/reconciliation.ts';
import { testConfig } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

// The benchmark's district, small: a consistent ledger and a month that settles in full.
describe('district generator', function () {
  this.timeout(180_000);
  useTestDatabase();
  const config = testConfig({ SETTLEMENT_SAMPLE_PCT: '0' });

  it('generates a district whose ledger reconciles and whose month settles every visit once', async () => {
    await clearCollections();
    const district = await generateDistrict(config, { seniors: 400, orders: 3_000, month: '2026-10', seed: 7 });

    expect(district).to.include({ seniors: 400, orders: 3_000, providers: 10 });
    expect(await SeniorModel.countDocuments({ status: 'active' })).to.equal(400);
    expect(new Set((await SeniorModel.find({}, { idNumberHmac: 1 }).lean()).map((s) => s.idNumberHmac)).size).to.equal(400);
    expect(await reconcileLedger('generator', logger)).to.include({ accounts: 400, mismatches: 0 });
    const counts = await runSettlement('2026-10', { by: 'test', runId: 'generator', config });
    expect(counts).to.include({ linesAdded: 3_000, heldBack: 0 });
    expect(await LineModel.countDocuments({ kind: 'service' })).to.equal(3_000);
    const statements = await StatementModel.find({}).lean();
    expect(statements).to.have.length(10);
    expect(statements.reduce((t, s) => t + s.totals.subsidyFen, 0)).to.equal(district.redeemedFen);
    expect(await OrderModel.countDocuments({ statementId: { $ne: null } })).to.equal(0); // a run writes lines, not orders

    // Honest visits as a phone records them: fixes 10–50 m from the home (never its own point, twice
    // alike only by chance), the expected time ±20% (exactly the expected minutes only now and then).
    const visits = await OrderModel.find({}, { seniorLocation: 1, checkIn: 1, checkOut: 1, durationMinutes: 1, expectedMinutes: 1 }).lean();
    const fixes = visits.flatMap((visit) => [visit.checkIn, visit.checkOut]).map((fix) => ({ distanceM: fix?.distanceM as number, key: `${fix?.lng},${fix?.lat}` }));
    expect(fixes.every((fix) => fix.distanceM >= 9.5 && fix.distanceM <= 50.5)).to.equal(true);
    expect(new Set(fixes.map((fix) => fix.key)).size).to.be.above(fixes.length * 0.99);
    expect(visits.every((visit) => Math.abs((visit.durationMinutes as number) - visit.expectedMinutes) <= Math.ceil(visit.expectedMinutes * 0.2))).to.equal(true);
    expect(visits.filter((visit) => visit.durationMinutes === visit.expectedMinutes).length).to.be.below(visits.length * 0.15);
  });
});
