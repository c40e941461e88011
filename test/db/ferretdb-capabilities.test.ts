import { expect } from 'chai';
import mongoose, { Schema } from 'mongoose';
import { testDatabaseUri, useTestDatabase } from '../support/database.ts';

// The embedded database is FerretDB 1.24 on SQLite; production is MongoDB. These are the
// capabilities every later issue leans on (DATABASE.md), proven on the real embedded engine.

const accountSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    community: { type: String, required: true },
    availableFen: { type: Number, required: true, validate: Number.isSafeInteger },
    heldFen: { type: Number, required: true, default: 0 },
  },
  { collection: 'probe_accounts' },
);
const Account = mongoose.model('ProbeAccount', accountSchema);

describe('mongoose on the embedded FerretDB', () => {
  const database = useTestDatabase();

  beforeEach(async () => {
    await Account.deleteMany({});
  });

  it('creates a unique index that rejects a duplicate with E11000', async () => {
    await Account.create({ key: 'a', community: 'c1', availableFen: 100 });

    const error = await Account.create({ key: 'a', community: 'c2', availableFen: 5 }).then(() => null, (e: unknown) => e);

    expect(error).to.have.property('code', 11000);
    expect(await Account.countDocuments({ key: 'a' })).to.equal(1);
    const indexes = await Account.collection.indexes();
    expect(indexes.some((index) => index.key.key === 1 && index.unique === true)).to.equal(true);
  });

  it('applies findOneAndUpdate with a condition and $inc only when the condition holds', async () => {
    await Account.create({ key: 'b', community: 'c1', availableFen: 100 });

    const held = await Account.findOneAndUpdate(
      { key: 'b', availableFen: { $gte: 60 } },
      { $inc: { availableFen: -60, heldFen: 60 } },
      { returnDocument: 'after' },
    ).lean();
    const refused = await Account.findOneAndUpdate(
      { key: 'b', availableFen: { $gte: 60 } },
      { $inc: { availableFen: -60, heldFen: 60 } },
      { returnDocument: 'after' },
    ).lean();

    expect(held).to.include({ availableFen: 40, heldFen: 60 });
    expect(refused).to.equal(null);
    expect(await Account.findOne({ key: 'b' }).lean()).to.include({ availableFen: 40, heldFen: 60 });
  });

  it('never lets concurrent conditional decrements take a balance below zero', async () => {
    await Account.create({ key: 'race', community: 'c1', availableFen: 1000 });

    const attempts = await Promise.all(
      Array.from({ length: 30 }, () =>
        Account.findOneAndUpdate({ key: 'race', availableFen: { $gte: 70 } }, { $inc: { availableFen: -70, heldFen: 70 } }, { returnDocument: 'after' }).lean(),
      ),
    );

    const winners = attempts.filter((result) => result !== null).length;
    expect(winners).to.equal(14); // floor(1000 / 70)
    expect(await Account.findOne({ key: 'race' }).lean()).to.include({ availableFen: 20, heldFen: 980 });
  });

  it('keeps conditional updates atomic across two separate connection pools (two instances)', async () => {
    await Account.create({ key: 'pools', community: 'c1', availableFen: 500 });
    const second = await mongoose.createConnection(testDatabaseUri(), { dbName: database.name(), maxPoolSize: 5 }).asPromise();
    const accounts = [Account.collection, second.collection('probe_accounts')];

    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          accounts[i % 2]!.updateOne({ key: 'pools', availableFen: { $gte: 30 } }, { $inc: { availableFen: -30, heldFen: 30 } }),
        ),
      );

      const applied = results.reduce((sum, result) => sum + result.modifiedCount, 0);
      expect(applied).to.equal(16); // floor(500 / 30)
      expect(await Account.findOne({ key: 'pools' }).lean()).to.include({ availableFen: 20, heldFen: 480 });
    } finally {
      await second.close();
    }
  });

  it('aggregates with $match, $group and $sum, one accumulator per $group', async () => {
    await Account.insertMany([
      { key: 'x1', community: 'c1', availableFen: 100 },
      { key: 'x2', community: 'c1', availableFen: 250 },
      { key: 'x3', community: 'c2', availableFen: 40 },
      { key: 'x4', community: 'c3', availableFen: 999 },
    ]);
    const match = { $match: { community: { $in: ['c1', 'c2'] } } };

    // FerretDB 1.24 computes only the first accumulator of a $group (FerretDB issue #4616), so
    // each sum is its own pipeline; see the portable-subset note in src/db/connection.ts.
    const totals = await Account.aggregate([match, { $group: { _id: '$community', totalFen: { $sum: '$availableFen' } } }, { $sort: { _id: 1 } }]);
    const counts = await Account.aggregate([match, { $group: { _id: '$community', accounts: { $sum: 1 } } }, { $sort: { _id: 1 } }]);

    expect(totals).to.deep.equal([{ _id: 'c1', totalFen: 350 }, { _id: 'c2', totalFen: 40 }]);
    expect(counts).to.deep.equal([{ _id: 'c1', accounts: 2 }, { _id: 'c2', accounts: 1 }]);
  });

  it('reads by primary key when an _id equality comes with other conditions, still applying them all', async function () {
    const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
    if (!info.ferretdbVersion) this.skip(); // the plan below is FerretDB's; MongoDB uses its _id index anyway
    const created = await Account.create({ key: 'pk', community: 'c1', availableFen: 10 });

    const plan = await Account.collection.find({ _id: created._id, availableFen: { $gte: 5 } }).explain();
    const matching = await Account.findOne({ _id: created._id, availableFen: { $gte: 5 } }).lean();
    const notMatching = await Account.findOne({ _id: created._id, availableFen: { $gte: 50 } }).lean();

    expect(plan.filterPushdown).to.equal(true);
    expect(matching?.key).to.equal('pk');
    expect(notMatching).to.equal(null);
  });

  it('reads and updates a batch by {_id: {$in}} through the primary key, still applying every other condition', async function () {
    const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
    const accounts = await Account.create([1, 2, 3, 4].map((n) => ({ key: `in${n}`, community: n % 2 ? 'odd' : 'even', availableFen: n * 10 })));
    const ids = accounts.map((account) => account._id);

    const found = await Account.find({ _id: { $in: [ids[0], ids[2], ids[3], new mongoose.Types.ObjectId()] }, availableFen: { $gte: 30 } }).sort({ key: 1 }).lean();
    const updated = await Account.updateMany({ _id: { $in: [ids[0], ids[1], ids[2]] }, community: 'odd' }, { $inc: { heldFen: 5 } });
    const held = (await Account.find({}).sort({ key: 1 }).lean()).map((account) => account.heldFen);

    expect(found.map((account) => account.key)).to.deep.equal(['in3', 'in4']);
    expect(updated.modifiedCount).to.equal(2);
    expect(held).to.deep.equal([5, 0, 5, 0]);
    if (info.ferretdbVersion) {
      const plan = await Account.collection.find({ _id: { $in: ids }, community: 'odd' }).explain();
      expect(plan.filterPushdown).to.equal(true);
      expect(JSON.stringify(plan.queryPlanner)).to.match(/USING INDEX/);
    }
  });


  it('selects by an indexed field\'s string equality through its index, still matching arrays, escaped strings and every other condition', async function () {
    const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
    const probes = mongoose.connection.collection('probe_equalities');
    await probes.createIndex({ provider: 1, day: 1 });
    await probes.insertMany([
      { provider: 'p1', day: '2026-11-01', n: 1 },
      { provider: 'p1', day: '2026-11-02', n: 2 },
      { provider: 'p2', day: '2026-11-01', n: 3 },
      { provider: ['p9', 'p1'], day: '2026-11-01', n: 4 }, // MongoDB equality matches an element
      { provider: 'a<b&"c"', day: '2026-11-01', n: 5 }, // needs JSON escaping: not pushed down, still found
      { provider: '星光服务社', day: '2026-11-01', n: 6 },
      { provider: 'p1', day: ['2026-11-01'], n: 7 },
      { provider: 1, day: '2026-11-01', n: 8 }, // a number never equals the string '1'
    ] as never[]);
    const ns = async (filter: object) => (await probes.find(filter).sort({ n: 1 }).toArray()).map((doc) => doc.n);

    expect(await ns({ provider: 'p1', day: '2026-11-01' })).to.deep.equal([1, 4, 7]);
    expect(await ns({ provider: 'p1', day: '2026-11-01', n: { $gt: 1 } })).to.deep.equal([4, 7]);
    expect(await ns({ provider: 'p1' })).to.deep.equal([1, 2, 4, 7]);
    expect(await ns({ provider: 'a<b&"c"' })).to.deep.equal([5]);
    expect(await ns({ provider: '星光服务社' })).to.deep.equal([6]);
    expect(await ns({ provider: '1' })).to.deep.equal([]);
    expect(await ns({ provider: { $in: ['p2', '星光服务社', 'p9'] }, day: '2026-11-01' })).to.deep.equal([3, 4, 6]);
    expect(await ns({ provider: { $in: ['p2', 'a<b&"c"'] } })).to.deep.equal([3, 5]);
    expect(await probes.countDocuments({ provider: 'p1', day: '2026-11-02' })).to.equal(1);
    expect((await probes.updateMany({ provider: 'p2' }, { $set: { seen: true } })).modifiedCount).to.equal(1);
    expect((await probes.deleteMany({ day: '2026-11-02' })).deletedCount).to.equal(1);
    if (info.ferretdbVersion) {
      for (const filter of [{ provider: 'p1', day: '2026-11-01' }, { provider: { $in: ['p1', 'p2'] } }]) {
        const plan = await probes.find(filter).explain();
        expect(plan.filterPushdown).to.equal(true);
        expect(JSON.stringify(plan.queryPlanner)).to.match(/USING INDEX/).and.not.match(/detail=SCAN/);
      }
    }
  });
  it('streams a find sorted by _id in BSON order (ObjectIds and strings), with a filter, a limit and writes while it streams', async () => {
    const ids = Array.from({ length: 300 }, (_, n) => mongoose.Types.ObjectId.createFromTime(1_700_000_000 + ((n * 7919) % 300) * 1_000));
    await Account.collection.insertMany(ids.map((_id, n) => ({ _id, key: `s${n}`, community: n % 3 ? 'c1' : 'c2', availableFen: n, heldFen: 0 })) as never[]);
    const sorted = ids.map(String).sort();

    const streamed: string[] = [];
    for await (const account of Account.collection.find({}).sort({ _id: 1 }).batchSize(40)) {
      streamed.push(String(account._id));
      await Account.collection.updateOne({ _id: account._id }, { $set: { heldFen: 1 } }); // the run writes what it reads
    }
    const descending = (await Account.collection.find({ community: 'c1' }).sort({ _id: -1 }).limit(5).toArray()).map((account) => String(account._id));
    const strings = await mongoose.connection.collection('probe_strings');
    await strings.insertMany(['2026-10-b', '2026-09-z', '2026-10-a', 'penalty:late:1', 'adjust:9'].map((_id) => ({ _id })) as never[]);
    const stringOrder = (await strings.find({}).sort({ _id: 1 }).toArray()).map((doc) => String(doc._id));

    expect(streamed).to.deep.equal(sorted);
    expect(await Account.countDocuments({ heldFen: 1 })).to.equal(300);
    expect(descending).to.deep.equal(sorted.filter((id) => ids.findIndex((x) => String(x) === id) % 3 !== 0).reverse().slice(0, 5));
    expect(stringOrder).to.deep.equal(['2026-09-z', '2026-10-a', '2026-10-b', 'adjust:9', 'penalty:late:1']);
  });

  it('walks keyset pages ({_id: {$lt: last}} sorted by _id) through the _id index beside field equalities, never skipping or repeating', async () => {
    const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
    await Account.collection.createIndex({ community: 1, _id: 1 });
    // every seventh holds its community in an array: MongoDB's equality matches the element
    await Account.collection.insertMany(Array.from({ length: 95 }, (_, n) => ({ key: `k${n}`, community: n % 7 === 0 ? ['c9', 'c1'] : n % 3 ? 'c1' : 'c2', availableFen: n, heldFen: 0 })) as never[]);
    const expected = (await Account.find({ community: 'c1' }, { _id: 1 }).lean()).map((a) => String(a._id)).sort().reverse();

    const walked: string[] = [];
    let last: mongoose.Types.ObjectId | null = null;
    for (let page = 0; page < 20; page += 1) {
      const filter: Record<string, unknown> = { community: 'c1', availableFen: { $gte: 0 }, ...(last ? { _id: { $lt: last } } : {}) };
      const docs = await Account.collection.find(filter).sort({ _id: -1 }).limit(7).toArray();
      walked.push(...docs.map((d) => String(d._id)));
      if (docs.length < 7) break;
      last = docs.at(-1)!._id as mongoose.Types.ObjectId;
      // new rows arrive while the pages are read: they sort before the cursor, so never show up
      await Account.collection.insertOne({ key: `new${page}`, community: 'c1', availableFen: 1, heldFen: 0 } as never);
    }
    const bounded = await Account.collection.find({ _id: { $gt: new mongoose.Types.ObjectId(expected[10]), $lte: new mongoose.Types.ObjectId(expected[3]) }, community: 'c1' }).sort({ _id: -1 }).toArray();

    expect(expected.length).to.equal(68); // the c1 strings and the 14 arrays holding c1
    const lines = mongoose.connection.collection<{ _id: string; statementId: string }>('probe_string_keys');
    await lines.createIndex({ statementId: 1, _id: 1 });
    await lines.insertMany(['6b10a3190000000000000003', '6b10a3190000000000000001', 'penalty:late:6b10a319', 'adjust:6b10a319', '6b10a3190000000000000002'].map((_id) => ({ _id, statementId: 's1' })) as never[]);
    const afterString = (await lines.find({ statementId: 's1', _id: { $gt: '6b10a3190000000000000001' } }).sort({ _id: 1 }).limit(3).toArray()).map((d) => String(d._id));

    expect(walked).to.deep.equal(expected);
    expect(bounded.map((d) => String(d._id))).to.deep.equal(expected.slice(3, 10));
    expect(afterString).to.deep.equal(['6b10a3190000000000000002', '6b10a3190000000000000003', 'adjust:6b10a319']);
    if (info.ferretdbVersion) {
      const plan = await Account.collection.find({ community: 'c1', _id: { $lt: last! } }).sort({ _id: -1 }).limit(7).explain();
      expect(plan.filterPushdown).to.equal(true);
      expect(JSON.stringify(plan.queryPlanner)).to.match(/USING INDEX \S+community_1__id_1/).and.not.match(/TEMP B-TREE/);
    }
  });

  it('walks keyset pages filtered on two fields through one compound index, arrays in the second field included', async () => {
    const lines = mongoose.connection.collection<{ _id: string; statementId: string | string[]; kind: string | string[] }>('probe_two_field_pages');
    await lines.createIndex({ statementId: 1, kind: 1, _id: 1 });
    // Every ninth holds its kind in an array and every eleventh its statement: both match by element.
    await lines.insertMany(Array.from({ length: 120 }, (_, n) => ({
      _id: `line-${String(n).padStart(3, '0')}`,
      statementId: n % 11 === 0 ? ['s9', 's1'] : n % 2 ? 's1' : 's2',
      kind: n % 9 === 0 ? ['penalty', 'service'] : n % 5 ? 'service' : 'penalty',
    })) as never[]);
    const filter = { statementId: 's1', kind: 'service' };
    const expected = (await lines.find(filter).toArray()).map((d) => d._id).sort();

    const walked: string[] = [];
    let last: string | null = null;
    for (let page = 0; page < 30; page += 1) {
      const docs = await lines.find({ ...filter, ...(last ? { _id: { $gt: last } } : {}) }).sort({ _id: 1 }).limit(5).toArray();
      walked.push(...docs.map((d) => d._id));
      if (docs.length < 5) break;
      last = docs.at(-1)!._id;
    }

    expect(expected.filter((id) => Number(id.slice(5)) % 9 === 0 || Number(id.slice(5)) % 11 === 0)).to.have.length.greaterThan(0);
    expect(walked).to.deep.equal(expected);
  });

  it('stops a find or a count that runs past maxTimeMS with MaxTimeMSExpired (code 50)', async () => {
    await Account.collection.insertMany(Array.from({ length: 3000 }, (_, n) => ({ key: `t${n}`, community: 'c1', availableFen: n, heldFen: 0, pad: 'x'.repeat(2000) })) as never[]);
    // A filter nothing pushes down and nothing matches: the engine reads every row, several times over.
    const slowFilter = { $or: [{ availableFen: { $lt: -1 } }, { heldFen: { $gt: 1e9 } }, { pad: 'y' }] };
    const started = Date.now();
    const [found, counted] = await Promise.all([
      Account.collection.find(slowFilter).sort({ pad: 1, key: -1 }).maxTimeMS(1).toArray().then(() => null, (e: unknown) => e),
      Account.collection.countDocuments(slowFilter, { maxTimeMS: 1 }).then(() => null, (e: unknown) => e),
    ]);

    expect(found).to.have.property('code', 50);
    expect(counted).to.have.property('code', 50);
    expect(Date.now() - started).to.be.below(10_000);
  });

  it('upserts with $setOnInsert exactly once for a unique key', async () => {
    const upsert = () => Account.updateOne({ key: 'u' }, { $setOnInsert: { community: 'c9', availableFen: 7 } }, { upsert: true });

    const first = await upsert();
    const second = await upsert();

    expect(first.upsertedCount).to.equal(1);
    expect(second.upsertedCount).to.equal(0);
    expect(await Account.countDocuments({ key: 'u' })).to.equal(1);
  });
});
