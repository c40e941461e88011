import { expect } from 'chai';
import request from 'supertest';
import { anchorAuditHead, latestAuditAnchor, recordAudit, useAuditKey, verifyAuditChain } from '../../src/audit/index.ts';
import { hashEntry } from '../../src/audit/audit.hash.ts';
import { AuditAnchorModel, AuditEntryModel, AuditHeadModel } from '../../src/audit/audit.model.ts';
import { createTestApp, testConfig, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

const officer = { id: 'u-officer', role: 'street_officer' as const };

async function recordSome(count: number): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    await recordAudit({ actor: officer, action: 'senior.approve', entityType: 'senior', entityId: `s${i}`, before: { status: 'pending_review' }, after: { status: 'active' }, requestId: `r${i}` });
  }
}

describe('audit log hash chain', () => {
  useTestDatabase();
  before(() => useAuditKey(testConfig().auditKey));
  beforeEach(clearCollections);

  it('links entries in order and verifies a clean chain', async () => {
    await recordSome(5);

    const entries = await AuditEntryModel.find().sort({ seq: 1 }).lean();
    expect(entries.map((e) => e.seq)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(entries[1]!.prevHash).to.equal(entries[0]!.hash);
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 5 });
  });

  it('detects an entry edited directly in the database', async () => {
    await recordSome(5);

    await AuditEntryModel.collection.updateOne({ seq: 3 }, { $set: { after: { status: 'rejected' } } });

    expect(await verifyAuditChain()).to.deep.equal({ ok: false, checked: 2, firstBrokenAt: 3, reason: 'hash_mismatch' });
  });

  it('detects an entry deleted from the middle', async () => {
    await recordSome(5);

    await AuditEntryModel.collection.deleteOne({ seq: 2 });

    expect(await verifyAuditChain()).to.include({ ok: false, firstBrokenAt: 2, reason: 'missing_entry' });
  });

  it('detects entries deleted from the end', async () => {
    await recordSome(5);

    await AuditEntryModel.collection.deleteMany({ seq: { $gte: 4 } });

    expect(await verifyAuditChain()).to.deep.equal({ ok: false, checked: 3, firstBrokenAt: 4, reason: 'truncated' });
  });

  it('detects an entry re-hashed after editing (without the key its link does not verify)', async () => {
    await recordSome(4);
    const second = (await AuditEntryModel.findOne({ seq: 2 }).lean())!;
    const forgedHash = hashEntry(second.prevHash, {
      seq: second.seq, at: second.at, actorId: 'someone-else', actorRole: second.actorRole, action: second.action,
      entityType: second.entityType, entityId: second.entityId, before: second.before, after: second.after, requestId: second.requestId ?? null, keyId: 'k1',
    });

    await AuditEntryModel.collection.updateOne({ seq: 2 }, { $set: { actorId: 'someone-else', hash: forgedHash } });

    expect(await verifyAuditChain()).to.include({ ok: false, firstBrokenAt: 2, reason: 'hash_mismatch' });
  });

  it('detects an edit whose whole chain was re-hashed to the tip by someone without the key', async () => {
    await recordSome(5);
    const entries = await AuditEntryModel.find().sort({ seq: 1 }).lean();
    // Edit the third entry, then rebuild every link from there to the tip and move the head, as
    // someone with database access would: with plain sha256 (unkeyed), and again with a guessed key.
    for (const guess of [undefined, { id: 'k1', secret: 'a-guess-at-the-key-0123456789abcdef' }]) {
      let prevHash = entries[1]!.hash;
      for (const entry of entries.slice(2)) {
        const fields = {
          seq: entry.seq, at: entry.at, actorId: entry.actorId, actorRole: entry.actorRole, action: entry.action, entityType: entry.entityType,
          entityId: entry.entityId, before: entry.before, after: entry.seq === 3 ? { status: 'rejected' } : entry.after, requestId: entry.requestId ?? null,
          ...(guess ? { keyId: guess.id } : {}),
        };
        const hash = hashEntry(prevHash, fields, guess);
        await AuditEntryModel.collection.replaceOne({ _id: entry._id as never }, { ...fields, prevHash, hash });
        prevHash = hash;
      }
      await AuditHeadModel.collection.updateOne({ _id: 'chain' as never }, { $set: { hash: prevHash } });

      expect(await verifyAuditChain(), guess ? 'a guessed key' : 'unkeyed').to.include({ ok: false, firstBrokenAt: 3, reason: 'hash_mismatch' });
    }
  });

  it('verifies the links made before the chain was keyed, and the keyed link after them covers their tip', async () => {
    // Two links as an older version made them (plain sha256, no key id), then keyed ones.
    let prevHash = '0'.repeat(64);
    for (const seq of [1, 2]) {
      const fields = { seq, at: new Date(), actorId: 'u', actorRole: 'admin', action: 'senior.update', entityType: 'senior', entityId: `old${seq}`, before: null, after: null, requestId: null };
      const hash = hashEntry(prevHash, fields);
      await AuditEntryModel.collection.insertOne({ _id: String(seq).padStart(12, '0'), ...fields, prevHash, hash } as never);
      prevHash = hash;
    }
    await recordSome(2);
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 4 });
    expect((await AuditEntryModel.find().sort({ seq: 1 }).lean()).map((entry) => entry.keyId ?? null)).to.deep.equal([null, null, 'k1', 'k1']);

    // An old link edited and the old part re-hashed: the first keyed link no longer follows it.
    const fields = { seq: 2, at: new Date(), actorId: 'u', actorRole: 'admin', action: 'senior.update', entityType: 'senior', entityId: 'edited', before: null, after: null, requestId: null };
    const first = (await AuditEntryModel.findOne({ seq: 1 }).lean())!;
    await AuditEntryModel.collection.replaceOne({ _id: '000000000002' as never }, { ...fields, prevHash: first.hash, hash: hashEntry(first.hash, fields) });
    expect(await verifyAuditChain()).to.include({ ok: false, firstBrokenAt: 3, reason: 'chain_mismatch' });
  });

  it("detects a rewrite made with the key itself, from before a day's anchor", async () => {
    await recordSome(3);
    expect(await anchorAuditHead('2026-12-01', new Date('2026-12-01T03:30:00+08:00'))).to.include({ seq: 3 });
    await recordSome(2);
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 5 });
    expect(await latestAuditAnchor(new Date('2026-12-31T16:00:00Z'))).to.include({ day: '2026-12-01', seq: 3 });
    expect(await latestAuditAnchor(new Date('2026-11-30T16:00:00Z'))).to.equal(null);

    // Someone holding the key edits entry 2 and re-makes every link to the tip: the HMACs verify,
    // the anchored third link does not.
    const key = testConfig().auditKey;
    const entries = await AuditEntryModel.find().sort({ seq: 1 }).lean();
    let prevHash = entries[0]!.hash;
    for (const entry of entries.slice(1)) {
      const fields = {
        seq: entry.seq, at: entry.at, actorId: entry.seq === 2 ? 'someone-else' : entry.actorId, actorRole: entry.actorRole, action: entry.action, entityType: entry.entityType,
        entityId: entry.entityId, before: entry.before, after: entry.after, requestId: entry.requestId ?? null, keyId: key.id,
      };
      const hash = hashEntry(prevHash, fields, key);
      await AuditEntryModel.collection.replaceOne({ _id: entry._id as never }, { ...fields, prevHash, hash });
      prevHash = hash;
    }
    await AuditHeadModel.collection.updateOne({ _id: 'chain' as never }, { $set: { hash: prevHash } });

    expect(await verifyAuditChain()).to.deep.equal({ ok: false, checked: 5, firstBrokenAt: 3, reason: 'anchor_mismatch' });
  });

  it('anchors one head a day: a second run of the day keeps the first', async () => {
    await recordSome(2);
    await anchorAuditHead('2026-12-02', new Date());
    await recordSome(1);
    expect(await anchorAuditHead('2026-12-02', new Date())).to.include({ seq: 2 });
    expect(await AuditAnchorModel.countDocuments()).to.equal(1);
  });

  it('does not take entries appended while it reads the chain for a truncation', async () => {
    await recordSome(20);
    // Writers do not stop for a verification (the daily job runs beside the day's work).
    const [result] = await Promise.all([verifyAuditChain(), ...Array.from({ length: 30 }, (_, i) => recordAudit({ actor: officer, action: 'senior.update', entityType: 'senior', entityId: `late${i}` }))]);
    expect(result.ok, JSON.stringify(result)).to.equal(true);
    expect(result.checked).to.be.within(20, 50);
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 50 });
  });

  it('refuses a link made with a key it does not hold', async () => {
    await recordSome(2);
    await AuditEntryModel.collection.updateOne({ seq: 2 }, { $set: { keyId: 'k9' } });
    expect(await verifyAuditChain()).to.include({ ok: false, firstBrokenAt: 2, reason: 'unknown_key' });
  });

  it('keeps one unbroken chain under concurrent writers', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => recordAudit({ actor: 'system', action: 'job.run', entityType: 'job', entityId: `j${i}` })));

    const seqs = (await AuditEntryModel.find().sort({ seq: 1 }).lean()).map((e) => e.seq);
    expect(seqs).to.deep.equal(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 25 });
  });

  it('group-commits concurrent entries of one process: each caller gets its own entry, in one chain', async () => {
    const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => recordAudit({ actor: officer, action: 'senior.update', entityType: 'senior', entityId: `s${i}` })));

    expect(entries.map((e) => e.entityId)).to.deep.equal(Array.from({ length: 40 }, (_, i) => `s${i}`));
    expect(new Set(entries.map((e) => e.seq)).size).to.equal(40);
    const stored = await AuditEntryModel.find().sort({ seq: 1 }).lean();
    expect(stored.map((e) => e.entityId)).to.deep.equal(entries.slice().sort((a, b) => a.seq - b.seq).map((e) => e.entityId));
    expect(await AuditHeadModel.findById('chain').lean()).to.include({ seq: 40 });
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 40 });
  });

  it('builds on links another process added after its own last entry', async () => {
    const mine = await recordAudit({ actor: officer, action: 'senior.update', entityType: 'senior', entityId: 'mine' });
    // Another instance appends two links, without moving the head, and this process does not know.
    let prevHash = mine.hash;
    for (const seq of [2, 3]) {
      // The other instance holds the same key.
      const fields = { seq, at: new Date(), actorId: 'other', actorRole: 'admin', action: 'senior.update', entityType: 'senior', entityId: `other${seq}`, before: null, after: null, requestId: null, keyId: 'k1' };
      const hash = hashEntry(prevHash, fields, testConfig().auditKey);
      await AuditEntryModel.collection.insertOne({ _id: String(seq).padStart(12, '0'), ...fields, prevHash, hash } as never);
      prevHash = hash;
    }

    const next = await recordAudit({ actor: officer, action: 'senior.update', entityType: 'senior', entityId: 'mine-again' });

    expect(next.seq).to.equal(4);
    expect(next.prevHash).to.equal(prevHash);
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 4 });
  });

  it('starts from the first link again when the log it last wrote to is gone (a wiped database)', async () => {
    await recordSome(3);
    await AuditEntryModel.deleteMany({});
    await AuditHeadModel.deleteMany({});

    const first = await recordAudit({ actor: officer, action: 'senior.update', entityType: 'senior', entityId: 'fresh' });

    expect(first.seq).to.equal(1);
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 1 });
  });

  it('recovers when the head lags behind the entries (crash between the two writes)', async () => {
    await recordSome(3);
    await AuditHeadModel.updateOne({ _id: 'chain' }, { $set: { seq: 1 } });

    const next = await recordAudit({ actor: officer, action: 'senior.reject', entityType: 'senior', entityId: 's9' });

    expect(next.seq).to.equal(4);
    expect(await verifyAuditChain()).to.deep.equal({ ok: true, checked: 4 });
  });

  it('never stores ID numbers, phones or secrets given in a summary', async () => {
    const entry = await recordAudit({
      actor: officer, action: 'senior.update', entityType: 'senior', entityId: 's1',
      before: { phone: '13812345678', name: '王秀英' },
      after: { phone: '13900001111', idNumber: '110101194501011234', emergencyContacts: [{ name: '李', phone: '13700000000' }], phoneMasked: '139****1111' },
    });

    const stored = JSON.stringify(await AuditEntryModel.findById(entry.id).lean());
    expect(stored).not.to.match(/13812345678|13900001111|110101194501011234|13700000000/);
    expect(stored).to.include('139****1111');
  });

  describe('over HTTP', () => {
    const { app, config } = createTestApp();

    it('lists entries newest first with filters, for admin and auditor only', async () => {
      await recordSome(3);
      await recordAudit({ actor: 'system', action: 'job.run', entityType: 'job', entityId: 'audit-verify' });

      const all = await request(app).get('/api/v1/audit?pageSize=2').set('Authorization', await tokenFor(config, 'auditor'));
      const bySenior = await request(app).get('/api/v1/audit?entityType=senior&entityId=s2').set('Authorization', await tokenFor(config, 'admin'));
      const denied = await request(app).get('/api/v1/audit').set('Authorization', await tokenFor(config, 'finance_officer'));

      expect(all.status).to.equal(200);
      expect(all.body).to.include({ page: 1, pageSize: 2, total: 4 });
      expect(all.body.items.map((e: { seq: number }) => e.seq)).to.deep.equal([4, 3]);
      expect(all.body.items[0]).to.include({ actorId: 'system', actorRole: 'system', action: 'job.run' });
      expect(all.body.items[0].at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(bySenior.body.items).to.have.length(1);
      expect(bySenior.body.items[0]).to.include({ entityId: 's2', actorId: 'u-officer', requestId: 'r2' });
      expect(denied.status).to.equal(403);
    });

    it('reports a tampered chain through GET /audit/verify', async () => {
      await recordSome(3);
      const clean = await request(app).get('/api/v1/audit/verify').set('Authorization', await tokenFor(config, 'auditor'));
      await AuditEntryModel.collection.updateOne({ seq: 2 }, { $set: { entityId: 's-forged' } });
      const tampered = await request(app).get('/api/v1/audit/verify').set('Authorization', await tokenFor(config, 'auditor'));

      expect(clean.body).to.deep.equal({ ok: true, checked: 3 });
      expect(tampered.status).to.equal(200);
      expect(tampered.body).to.deep.equal({ ok: false, checked: 1, firstBrokenAt: 2, reason: 'hash_mismatch' });
    });
  });
});
