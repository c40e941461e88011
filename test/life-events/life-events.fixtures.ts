import type { Express } from 'express';
import request from 'supertest';
import type { Config } from '../../src/config/env.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { authFor, createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { settlementWorld, shanghai } from '../settlement/settlement.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

export const FEED_HEADER = '身份证号,事件,日期';

/** A feed file: the header and one line a row (`[idNumber, event, date]`), UTF-8 with a BOM as Excel saves it. */
export const feed = (rows: string[][]) => `\uFEFF${FEED_HEADER}\n${rows.map((row) => row.join(',')).join('\n')}\n`;

/**
 * The settlement world (settlement.fixtures.ts: providers A north and B south of one street, a 60/40
 * policy, visits on their own clocks) plus what life events need: two street officers of the
 * world's street (one imports, the other decides), one of another street with a senior there, and
 * seniors whose ID numbers the feed names.
 */
export async function lifeEventWorld(app: Express, config: Config) {
  const w = await settlementWorld(config);
  const otherStreet = await makeStreet('东街道');
  const otherCommunity = await makeCommunity(otherStreet, '东社区');
  const [importer, decider, otherOfficer] = [
    await authFor(config, 'street_officer', { streetId: w.street.id }),
    await authFor(config, 'street_officer', { streetId: w.street.id }),
    await authFor(config, 'street_officer', { streetId: otherStreet.id }),
  ];
  const admin = await authFor(config, 'admin');
  const staffAuth = await authFor(config, 'community_staff', { communityIds: [w.north.id, w.south.id] });

  /** An active senior (approved 1 August 2026) with a known ID number, in the world's north or south community or the other street's. */
  async function registered(where: 'north' | 'south' | 'other', categories: string[] = ['living_alone']) {
    const idNumber = idNumberBornOn('1948-05-06');
    const communityId = where === 'north' ? w.north.id : where === 'south' ? w.south.id : otherCommunity.id;
    const enrolled = await enrolSenior(enrolmentBody(communityId, { idNumber, categories }), w.seniorCtx(w.registrar, shanghai('2026-07-30 10:00')));
    await transitionSenior(enrolled.id, { action: 'approve' }, w.seniorCtx(w.admin, shanghai('2026-08-01 09:00')));
    return { id: enrolled.id, idNumber };
  }

  const upload = (content: string | Buffer, authorization = importer.authorization, name = 'feed.csv') =>
    request(app).post('/api/v1/life-events/imports').set('Authorization', authorization).attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  const decide = (id: string, verb: 'confirm' | 'reject', body: object = {}, authorization = decider.authorization) =>
    request(app).post(`/api/v1/life-events/proposals/${id}/${verb}`).set('Authorization', authorization).send(verb === 'reject' && !('reason' in body) ? { reason: '核实有误', ...body } : body);
  const proposals = (query = '', authorization = decider.authorization) => request(app).get(`/api/v1/life-events/proposals${query}`).set('Authorization', authorization);
  const post = (path: string, body: object = {}, authorization = staffAuth.authorization) => request(app).post(`/api/v1${path}`).set('Authorization', authorization).send(body);
  /** An order for the senior tomorrow morning, asked for by the community's staff over HTTP. */
  const orderFor = (seniorId: string, hour = 9) => request(app).post('/api/v1/service-orders').set('Authorization', staffAuth.authorization)
    .send({ seniorId, serviceTypeCode: w.clean.code, quantity: 1, scheduledStart: new Date(Date.now() + 86_400_000 + hour * 3_600_000).toISOString(), source: 'staff' });
  /** Imports one row by the importing officer and answers its proposal's id. */
  async function proposed(idNumber: string, event: string, date: string): Promise<string> {
    const res = await upload(feed([[idNumber, event, date]]));
    if (res.status !== 200 || res.body.rows[0].status !== 'matched') throw new Error(`not proposed: ${JSON.stringify(res.body)}`);
    return res.body.rows[0].proposalId as string;
  }

  /** Settlement as finance drives it: a run of a period, a statement's detail, approval and payment; provider A's statement of a period. */
  const finance = (method: 'get' | 'post', path: string, body?: object) => request(app)[method](`/api/v1${path}`).set('Authorization', w.finance.authorization).send(body);
  const settle = {
    run: (period: string) => finance('post', '/settlements', { period }),
    detail: async (id: string) => (await finance('get', `/settlements/statements/${id}`)).body,
    approve: (id: string) => finance('post', `/settlements/statements/${id}/approve`, {}),
    pay: (id: string) => finance('post', `/settlements/statements/${id}/pay`, { paymentRef: `PAY-${id.slice(-6)}`, paidAt: new Date().toISOString() }),
    statementA: (period: string) => `${period}-${w.providerA.id}`,
  };

  return { ...w, otherStreet, otherCommunity, importer, decider, otherOfficer, lifeAdmin: admin, staffAuth, registered, upload, decide, proposals, orderFor, proposed, post, settle };
}
export type LifeEventWorld = Awaited<ReturnType<typeof lifeEventWorld>>;

/**
 * For a describe: its own database and app (the review sample off, so statements hold only what a
 * test makes), and a fresh world before each test or, with 'file', one for all its tests.
 */
export function useLifeEventWorld(per: 'test' | 'file' = 'test') {
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let current: LifeEventWorld | undefined;
  const build = async () => {
    await clearCollections();
    current = await lifeEventWorld(app, config);
  };
  if (per === 'test') beforeEach(build);
  else before(build);
  return { app, config, world: () => current as LifeEventWorld };
}
