import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { businessDateTime, businessMonth } from '../../src/shared/time.ts';
import { createVoucherPolicy, issueMonth } from '../../src/vouchers/index.ts';
import { EntryModel } from '../../src/vouchers/ledger.model.ts';
import { authFor, createTestApp, createTestUser } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

// An uploaded visit is held whole or refused: cleaning at 40 yuan, its share capped at 40% (16 yuan
// a visit where the senior's rate is 50%), 32 yuan of subsidy a month.
const HEADER = '老人身份证号,服务项目,数量,护理员手机号,签到时间,签到经度,签到纬度,签退时间,签退经度,签退纬度,坐标系,外部记录号,老人确认码';
const NEAR = { lng: 117.2543, lat: 31.8458 };
const TZ = 'Asia/Shanghai';

describe('POST /service-records/imports under the policy\'s caps', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  const base = new Date(Math.floor((Date.now() - 30 * 3_600_000) / 60_000) * 60_000);
  const local = (minutes: number) => businessDateTime(new Date(base.getTime() + minutes * 60_000), TZ).slice(0, 16);

  it('takes the visit that reaches the monthly cap exactly, refuses the one past it in Chinese, and holds 40% of the price', async () => {
    await clearCollections();
    const street = await makeStreet();
    const community = await makeCommunity(street);
    const cleaning = await makeServiceType('clean_cap');
    const provider = await makeProvider([community.id]);
    await makeContract(provider.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }], '2020-01-01', '2099-12-31');
    await makeCaregiver(config.pii, provider.id, [cleaning.code], '13900003333');
    const admin = await createTestUser('admin');
    const approver = await createTestUser('admin');
    await createVoucherPolicy({ actor: admin, requestId: null, lang: 'zh' }, {
      name: '限额上传', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 10_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 60, districtPct: 40 }, expiry: { mode: 'end_of_month' },
      caps: { monthlyFen: 3_200, perService: [{ serviceTypeCode: cleaning.code, maxSubsidySharePct: 40 }] },
    });
    const idNumber = idNumberBornOn('1948-02-03');
    const enrolledAt = new Date(base.getTime() - 3 * 86_400_000);
    const enrolled = await enrolSenior(enrolmentBody(community.id, { idNumber, categories: ['living_alone'] }), { actor: admin, config, requestId: null, lang: 'zh', now: enrolledAt });
    await transitionSenior(enrolled.id, { action: 'approve' }, { actor: approver, config, requestId: null, lang: 'zh', now: new Date(enrolledAt.getTime() + 60_000) });
    for (const month of new Set([businessMonth(enrolledAt, TZ), businessMonth(base, TZ)])) await issueMonth(month, 'test');
    const providerAdmin = await authFor(config, 'provider_admin', { providerId: provider.id });
    const row = (start: number, id: string) => [idNumber, cleaning.code, 1, '13900003333', local(start), NEAR.lng, NEAR.lat, local(start + 60), NEAR.lng, NEAR.lat, '', id, ''].join(',');
    const content = `\uFEFF${HEADER}\n${[row(0, 'C-1'), row(120, 'C-2'), row(240, 'C-3')].join('\n')}\n`;

    const res = await request(app).post('/api/v1/service-records/imports').set('Authorization', providerAdmin.authorization).attach('file', Buffer.from(content), 'records.csv');

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ created: 2, rejected: 1 });
    const refused = res.body.rows.find((r: { status: string }) => r.status === 'rejected');
    expect(refused.errors).to.deep.equal([{ column: 'serviceTypeCode', message: `每月补贴上限 32.00 元，${businessMonth(base, TZ)} 已用 32.00 元，本次补贴 16.00 元将超出上限，不能按补贴结算` }]);
    const orders = await OrderModel.find({ providerId: provider.id }).sort({ externalId: 1 }).lean();
    expect(orders.map((order) => [order.externalId, order.subsidyFen, order.selfPayFen])).to.deep.equal([['C-1', 1_600, 2_400], ['C-2', 1_600, 2_400]]);
    expect(await EntryModel.findById(`hold:${String(orders[1]!._id)}`).lean()).to.include({ heldDeltaFen: 1_600 });
  });
});
