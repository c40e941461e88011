import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { extractText, getDocumentProxy } from 'unpdf';
import type { Config } from '../../src/config/env.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { logger } from '../../src/shared/logger.ts';
import { addMonths, businessMonth } from '../../src/shared/time.ts';
import { voucherExpiryJob } from '../../src/vouchers/index.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { authFor, createTestUser, tokenFor } from '../support/app.ts';

export const HOME = { lng: 117.2541, lat: 31.8457 };

/** The text of each page of a PDF, as a PDF text tool reads it (unpdf: pdf.js). */
export async function pdfPages(pdf: Buffer | Uint8Array): Promise<string[]> {
  const document = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(document, { mergePages: false });
  return text;
}

/** A supertest answer's body as bytes, for binary answers. */
export const binary = (req: request.Test) => req.buffer(true).parse((res, done) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
});

/**
 * The month of a letter, built through the services on the real clock (the ledger writes its
 * entries at the time it runs, so the month is the current one): two communities with seniors and
 * one without. In 安居苑社区: 王秀英 (a mobile) with the month's vouchers at approval, two visits
 * confirmed by visit code, a third booked (its hold open at the month's end), a +30.00 correction
 * through the adjustment route and the month-end lapse by the expiry job; 赵德明 with a landline
 * and a son with a mobile (the SMS goes to the son); 孙玉兰 awaiting approval (no letter). In
 * 桐城路社区: 李桂兰, vouchers only.
 */
export async function letterWorld(app: Express, config: Config) {
  const month = businessMonth(new Date(), config.businessTimeZone);
  const street = await makeStreet();
  const [anju, tongcheng, empty] = [await makeCommunity(street, '安居苑社区'), await makeCommunity(street, '桐城路社区'), await makeCommunity(street, '稻香村社区')];
  const cleaning = await makeServiceType('letter_clean');
  const provider = await makeProvider([anju.id, tongcheng.id], { name: '安心养老服务中心', location: { lng: 117.2594, lat: 31.8457 } });
  const caregiver = await makeCaregiver(config.pii, provider.id, [cleaning.code]);
  await makeContract(provider.id, [anju.id, tongcheng.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }], '2020-01-01', '2099-12-31');
  const admin = await tokenFor(config, 'admin');
  const policy = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send({
    name: '测试', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 50_000, subsidyRatePct: 50 }],
    careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
  });
  expect(policy.status, JSON.stringify(policy.body)).to.equal(201);

  const [registrar, approver] = [await createTestUser('admin'), await createTestUser('admin')];
  const ctx = { actor: registrar, config, requestId: null, lang: 'zh' as const };
  const senior = async (communityId: string, overrides: Record<string, unknown>, approve = true) => {
    const idNumber = idNumberBornOn();
    const enrolled = await enrolSenior(enrolmentBody(communityId, { idNumber, categories: ['living_alone'], location: HOME, ...overrides }) as Parameters<typeof enrolSenior>[0], ctx);
    // Approval credits the current month (the vouchers' lifecycle hook): the month's issue entry.
    if (approve) await transitionSenior(enrolled.id, { action: 'approve' }, { ...ctx, actor: approver });
    return { id: enrolled.id, idNumber, name: String(overrides.name) };
  };
  const wang = await senior(anju.id, { name: '王秀英', phone: '13912345678' });
  const zhao = await senior(anju.id, { name: '赵德明', phone: '0551-65123456', emergencyContacts: [{ name: '赵强', relation: '儿子', phone: '13800002222' }] });
  const sun = await senior(anju.id, { name: '孙玉兰', phone: '13700003333' }, false);
  const li = await senior(tongcheng.id, { name: '李桂兰', phone: '13600004444' });

  const staff = await authFor(config, 'community_staff', { communityIds: [anju.id] });
  const providerAdmin = await tokenFor(config, 'provider_admin', { providerId: provider.id });
  const caregiverToken = await tokenFor(config, 'caregiver', { providerId: provider.id, caregiverId: caregiver.id });
  const post = (authorization: string, path: string, body: object = {}) => request(app).post(`/api/v1${path}`).set('Authorization', authorization).send(body);
  const booked = async () => {
    const created = await post(staff.authorization, '/service-orders', { seniorId: wang.id, serviceTypeCode: cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 3_600_000).toISOString(), source: 'staff' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.order.id as string;
    expect((await post(providerAdmin, `/service-orders/${id}/accept`)).status).to.equal(200);
    expect((await post(providerAdmin, `/service-orders/${id}/assign`, { caregiverId: caregiver.id })).status).to.equal(200);
    return { id, visitCode: created.body.visitCode as string };
  };
  for (let i = 0; i < 2; i += 1) {
    const { id, visitCode } = await booked();
    expect((await post(caregiverToken, `/service-orders/${id}/check-in`, HOME)).status).to.equal(200);
    await OrderModel.updateOne({ _id: id }, { $set: { 'checkIn.at': new Date(Date.now() - 65 * 60_000) } });
    const out = await post(caregiverToken, `/service-orders/${id}/check-out`, { ...HOME, visitCode });
    expect(out.body.status, JSON.stringify(out.body)).to.equal('confirmed');
  }
  await booked();
  const finance = await tokenFor(config, 'finance_officer');
  const adjusted = await post(finance, `/seniors/${wang.id}/voucher-account/adjustments`, { amountFen: 3_000, reason: '上月少发补足' });
  expect(adjusted.status, JSON.stringify(adjusted.body)).to.equal(201);
  // The month's end: the next month's expiry run lapses what this month left available.
  await voucherExpiryJob.run({ month: addMonths(month, 1) }, { runId: 'test', config, logger, signal: new AbortController().signal });

  return { month, street, anju, tongcheng, empty, provider, cleaning, admin, staff, seniors: { wang, zhao, sun, li } };
}
