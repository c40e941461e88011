import { expect } from 'chai';
import request from 'supertest';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { RekeyProgressModel } from '../../src/privacy/rekey.model.ts';
import { PII_COLLECTIONS, rekeyAllPii } from '../../src/privacy/rekey.service.ts';
import { enqueueNotification } from '../../src/notifications/index.ts';
import { storedBankAccount } from '../../src/organisation/bank-account.ts';
import { CaregiverModel, ProviderModel } from '../../src/organisation/providers.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { decryptPii, piiKeyVersionOf } from '../../src/shared/pii.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

const V2 = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';

/** Every encrypted value of the four collections that hold them, with where it is. */
async function storedCiphertexts(): Promise<string[]> {
  const seniors = await SeniorModel.find({}, { idNumberEncrypted: 1, phoneEncrypted: 1, emergencyContacts: 1 }).lean();
  const caregivers = await CaregiverModel.find({}, { phoneEncrypted: 1 }).lean();
  const notifications = await NotificationModel.find({}, { recipient: 1 }).lean();
  const providers = await ProviderModel.find({ bankAccount: { $ne: null } }, { bankAccount: 1 }).lean();
  return [
    ...providers.map((p) => p.bankAccount!.accountNoEncrypted),
    ...seniors.flatMap((s) => [s.idNumberEncrypted, s.phoneEncrypted, ...s.emergencyContacts.map((c) => c.phoneEncrypted)]),
    ...caregivers.map((c) => c.phoneEncrypted),
    ...notifications.map((n) => n.recipient.phoneEncrypted).filter((p): p is string => Boolean(p)),
  ];
}

describe('PII key rotation (PII_KEYS, pii-rekey) while the service runs', function () {
  this.timeout(180_000);
  useTestDatabase();
  // Before: the single key of old (PII_ENCRYPTION_KEY as v1). During: v2 in front, v1 still readable. After: v2 alone.
  const before = createTestApp();
  const during = createTestApp({ env: { PII_KEYS: `v2:${V2}` } });
  const after = createTestApp({ env: { PII_KEYS: `v2:${V2}`, PII_ENCRYPTION_KEY: '' } });

  beforeEach(clearCollections);

  it('re-encrypts every senior, caregiver and outbox phone to the newest key while seniors are read without a failure, then reads everything with the old key retired', async () => {
    const community = await makeCommunity(await makeStreet());
    const staffBefore = await tokenFor(before.config, 'community_staff', { communityIds: [community.id] });
    const seniors: { id: string; idNumber: string; phone: string }[] = [];
    for (let n = 0; n < 40; n += 1) {
      const idNumber = idNumberBornOn('1945-01-01');
      const phone = `1370000${String(n).padStart(4, '0')}`;
      const res = await request(before.app).post('/api/v1/seniors').set('Authorization', staffBefore).send(enrolmentBody(community.id, { idNumber, phone, emergencyContacts: [{ name: '李强', relation: '儿子', phone: `1380000${String(n).padStart(4, '0')}` }] }));
      expect(res.status).to.equal(201);
      seniors.push({ id: res.body.id, idNumber, phone });
    }
    const provider = await makeProvider([community.id]);
    await ProviderModel.updateOne({ _id: provider.id }, { $set: { bankAccount: storedBankAccount(before.config.pii, { accountName: '安心养老', accountNo: '6222020200112233445', bankName: '中国工商银行' }) } });
    const service = await makeServiceType();
    const caregiver = await makeCaregiver(before.config.pii, provider.id, [service.code], '13955556666');
    await enqueueNotification({ dedupeKey: 'rotation-1', channel: 'sms', recipient: { kind: 'senior', phone: seniors[0]!.phone }, template: 'visit_reminder', params: {}, subject: { type: 'senior', id: seniors[0]!.id } }, before.config.pii);
    expect((await storedCiphertexts()).every((value) => value.startsWith('v1:'))).to.equal(true);
    // The retired-key configuration cannot read what v1 wrote: the test below can fail.
    const firstStored = (await SeniorModel.findById(seniors[0]!.id).lean())!.phoneEncrypted;
    expect(() => decryptPii(after.config.pii, firstStored)).to.throw(/v1/);

    const staff = await tokenFor(during.config, 'community_staff', { communityIds: [community.id] });
    const admin = await tokenFor(during.config, 'admin');
    const reveal = (app: typeof during.app, token: string, id: string) => request(app).post(`/api/v1/seniors/${id}/reveal`).set('Authorization', token).send({ fields: ['idNumber', 'phone'], reason: '密钥轮换期间核对' });
    let rekeyDone = false;
    const failures: string[] = [];
    let reads = 0;
    const reader = (async () => {
      for (let n = 0; !rekeyDone || n < seniors.length; n += 1) {
        const senior = seniors[n % seniors.length]!;
        const [revealed, shown] = await Promise.all([reveal(during.app, staff, senior.id), request(during.app).get(`/api/v1/seniors/${senior.id}`).set('Authorization', staff)]);
        reads += 1;
        if (revealed.status !== 200 || revealed.body.phone !== senior.phone || revealed.body.idNumber !== senior.idNumber || shown.status !== 200) failures.push(`${senior.id}: ${revealed.status} ${shown.status}`);
      }
    })();
    // An edit during the rotation writes with the newest key already; the job must not undo it.
    const edited = await request(during.app).patch(`/api/v1/seniors/${seniors[5]!.id}`).set('Authorization', staff).send({ phone: '13811112222' });
    expect(edited.status).to.equal(200);
    seniors[5]!.phone = '13811112222';
    const run = await request(during.app).post('/api/v1/jobs/pii-rekey/run?wait=true').set('Authorization', admin).send({ batchSize: 7 });
    rekeyDone = true;
    await reader;

    expect(run.status).to.equal(200);
    expect(run.body.run.counts).to.include({ unreadable: 0, collectionsCompleted: 4 });
    expect(run.body.run.counts.rekeyed).to.be.at.least(40);
    expect(failures).to.deep.equal([]);
    expect(reads).to.be.at.least(seniors.length);
    const stored = await storedCiphertexts();
    expect(stored).to.have.length(40 * 3 + 1 + 1 + 1);
    expect(stored.filter((value) => !value.startsWith('v2:'))).to.deep.equal([]);

    const again = await request(during.app).post('/api/v1/jobs/pii-rekey/run?wait=true').set('Authorization', admin).send({});
    expect(again.body.run.counts).to.include({ rekeyed: 0 });

    const staffAfter = await tokenFor(after.config, 'community_staff', { communityIds: [community.id] });
    for (const senior of seniors) {
      const revealed = await reveal(after.app, staffAfter, senior.id);
      expect(revealed.status).to.equal(200);
      expect(revealed.body).to.deep.equal({ idNumber: senior.idNumber, phone: senior.phone });
    }
    const caregiverDoc = await CaregiverModel.findById(caregiver.id).lean();
    expect(decryptPii(after.config.pii, caregiverDoc!.phoneEncrypted)).to.equal('13955556666');
    const notification = await NotificationModel.findById('rotation-1').lean();
    expect(decryptPii(after.config.pii, notification!.recipient.phoneEncrypted as string)).to.equal(seniors[0]!.phone);
  });
  /** A signal that reads "aborted" from its (n+1)th look on: the job stops after n batches, as on a shutdown. */
  const abortedAfter = (batches: number): AbortSignal => {
    let looks = 0;
    return { get aborted() { looks += 1; return looks > batches; } } as AbortSignal;
  };

  it('resumes an interrupted pass where it stopped, re-does a batch whose position was lost without harm, and ends with every value on the newest key', async () => {
    const community = await makeCommunity(await makeStreet());
    const staff = await tokenFor(before.config, 'community_staff', { communityIds: [community.id] });
    const seniors: { id: string; idNumber: string; phone: string; contact: string }[] = [];
    for (let n = 0; n < 30; n += 1) {
      const idNumber = idNumberBornOn('1946-02-02');
      const phone = `1360000${String(n).padStart(4, '0')}`;
      const contact = `1350000${String(n).padStart(4, '0')}`;
      const res = await request(before.app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { idNumber, phone, emergencyContacts: [{ name: '李强', relation: '儿子', phone: contact }] }));
      expect(res.status).to.equal(201);
      seniors.push({ id: res.body.id, idNumber, phone, contact });
    }
    const provider = await makeProvider([community.id]);
    const caregiver = await makeCaregiver(before.config.pii, provider.id, [(await makeServiceType()).code], '13955557777');
    await enqueueNotification({ dedupeKey: 'resume-1', channel: 'sms', recipient: { kind: 'senior', phone: seniors[0]!.phone }, template: 'visit_reminder', params: {}, subject: { type: 'senior', id: seniors[0]!.id } }, before.config.pii);
    const total = 30 + 1 + 1; // documents holding a v1 value: seniors, the caregiver, the notification
    const onV2 = async () => (await SeniorModel.find({}, { phoneEncrypted: 1 }).sort({ _id: 1 }).lean()).map((s) => piiKeyVersionOf(s.phoneEncrypted) === 2);
    /** Every senior readable with the keys of the rotation (v2 in front, v1 still there), as the service reads them. */
    const everyoneReadable = async () => {
      for (const senior of seniors) {
        const doc = (await SeniorModel.findById(senior.id).lean())!;
        expect(decryptPii(during.config.pii, doc.idNumberEncrypted)).to.equal(senior.idNumber);
        expect(decryptPii(during.config.pii, doc.phoneEncrypted)).to.equal(senior.phone);
        expect(decryptPii(during.config.pii, doc.emergencyContacts[0]!.phoneEncrypted as string)).to.equal(senior.contact);
      }
    };

    // 1. Stopped after three batches of 7 in the seniors (the first collection).
    const first = await rekeyAllPii(during.config, { batchSize: 7, signal: abortedAfter(3) });
    expect(first).to.include({ scanned: 21, rekeyed: 21, collectionsCompleted: 0, unreadable: 0 });
    expect(await onV2()).to.deep.equal([...Array(21).fill(true), ...Array(9).fill(false)]);
    const stopped = await RekeyProgressModel.findById(PII_COLLECTIONS[0]!.name).lean();
    const sortedIds = (await SeniorModel.find({}, { _id: 1 }).sort({ _id: 1 }).lean()).map((s) => String(s._id));
    expect(String(stopped!.afterId)).to.equal(sortedIds[20]);
    expect(stopped).to.include({ keyVersion: 2, completedAt: null });
    await everyoneReadable();

    // 2. A crash after a batch was written but before its position was saved: the position goes back one batch.
    const crashed = await rekeyAllPii(during.config, { batchSize: 7, signal: abortedAfter(1) });
    expect(crashed).to.include({ scanned: 7, rekeyed: 7 });
    await RekeyProgressModel.updateOne({ _id: PII_COLLECTIONS[0]!.name }, { $set: { afterId: stopped!.afterId } });
    const storedBefore = await SeniorModel.find({}, { idNumberEncrypted: 1, phoneEncrypted: 1, emergencyContacts: 1 }).sort({ _id: 1 }).lean();

    // 3. The next run redoes that batch (its values are on v2 already: read, not rewritten) and finishes the pass.
    const last = await rekeyAllPii(during.config, { batchSize: 7 });
    expect(last).to.include({ rekeyed: 2 + 1 + 1, collectionsCompleted: PII_COLLECTIONS.length, unreadable: 0, changedMeanwhile: 0 });
    expect(first.rekeyed + crashed.rekeyed + last.rekeyed).to.equal(total);
    const storedAfter = await SeniorModel.find({}, { idNumberEncrypted: 1, phoneEncrypted: 1, emergencyContacts: 1 }).sort({ _id: 1 }).lean();
    // The seven redone and the 21 before them are byte for byte what they were: nothing encrypted twice.
    expect(storedAfter.slice(0, 28)).to.deep.equal(storedBefore.slice(0, 28));
    expect(await onV2()).to.deep.equal(Array(30).fill(true));
    const progress = await RekeyProgressModel.find().lean();
    expect(progress).to.have.length(PII_COLLECTIONS.length);
    expect(progress.every((p) => p.keyVersion === 2 && p.completedAt !== null && p.afterId === null)).to.equal(true);
    expect((await storedCiphertexts()).filter((value) => !value.startsWith('v2:'))).to.deep.equal([]);

    // With the old key retired every value still reads.
    for (const senior of seniors) {
      const doc = (await SeniorModel.findById(senior.id).lean())!;
      expect(decryptPii(after.config.pii, doc.idNumberEncrypted)).to.equal(senior.idNumber);
      expect(decryptPii(after.config.pii, doc.phoneEncrypted)).to.equal(senior.phone);
      expect(decryptPii(after.config.pii, doc.emergencyContacts[0]!.phoneEncrypted as string)).to.equal(senior.contact);
    }
    expect(decryptPii(after.config.pii, (await CaregiverModel.findById(caregiver.id).lean())!.phoneEncrypted)).to.equal('13955557777');
    expect(decryptPii(after.config.pii, (await NotificationModel.findById('resume-1').lean())!.recipient.phoneEncrypted as string)).to.equal(seniors[0]!.phone);
    // A complete pass is not resumed: the next run starts a new one and only reads.
    expect(await rekeyAllPii(during.config, { batchSize: 7 })).to.include({ rekeyed: 0, scanned: total + 1, collectionsCompleted: PII_COLLECTIONS.length });
  });
});
