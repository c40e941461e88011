import { expect } from 'chai';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import request from 'supertest';
import { ProposalModel } from '../../src/life-events/life-event.model.ts';
import { transitionSenior } from '../../src/seniors/index.ts';
import { SeniorHistoryModel, SeniorModel } from '../../src/seniors/senior.model.ts';
import { shanghai } from '../settlement/settlement.fixtures.ts';
import { idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { feed, useLifeEventWorld, type LifeEventWorld } from './life-events.fixtures.ts';

type RowResult = { row: number; status: string; proposalId?: string; errors?: { column: string; message: string }[] };

/*
 * POST /life-events/imports (issue 19, point 2): a feed of deaths, hospital stays and moves,
 * matched to seniors by the HMAC of the ID number, each match a pending proposal.
 */
describe('POST /life-events/imports', function () {
  this.timeout(120_000);
  const { app, world } = useLifeEventWorld();
  let w: LifeEventWorld;
  beforeEach(() => {
    w = world();
  });

  const byRow = (rows: RowResult[]) => new Map(rows.map((row) => [row.row, row]));

  it('answers each row: matched, duplicate in the file, not registered (also another street\'s senior), ambiguous and invalid, with Chinese reasons', async () => {
    const [dying, stay, hospitalOnly, elsewhere, gone] = [await w.registered('north'), await w.registered('south'), await w.registered('north'), await w.registered('other'), await w.registered('north')];
    await transitionSenior(gone.id, { action: 'deactivate', reason: 'moved_out', effectiveDate: '2026-10-01' }, w.seniorCtx(w.admin, shanghai('2026-10-02 10:00')));
    const stranger = idNumberBornOn('1940-01-01');
    const badCheckDigit = `${stranger.slice(0, 17)}${stranger.endsWith('0') ? '1' : '0'}`;

    const res = await w.upload(feed([
      [dying.idNumber, '死亡', '2026-10-15'], // 2 matched
      [dying.idNumber, 'death', '2026-10-15'], // 3 the same again: duplicate
      [stranger, '死亡', '2026-10-15'], // 4 no such senior
      [elsewhere.idNumber, '死亡', '2026-10-15'], // 5 another street's senior: answered as no such senior
      [dying.idNumber, '死亡', '2026-10-16'], // 6 a second day of death: ambiguous
      [hospitalOnly.idNumber, '出院', '2026-10-09'], // 7 a discharge with no admission: ambiguous
      [badCheckDigit, '结婚', '2026-13-01'], // 8 every cell wrong
      [stay.idNumber, '住院', '2099-01-01'], // 9 in the future
      [stay.idNumber, '入院', '2026/10/3'], // 10 matched (入院, a day as YYYY/M/D)
      [stay.idNumber, '出院', '2026-10-09'], // 11 matched: the admission is on row 10
      [gone.idNumber, '迁出', '2026-10-01'], // 12 the register has it already: duplicate
      [gone.idNumber, '住院', '2026-10-05'], // 13 after the senior left the register: ambiguous
    ]));

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ total: 12, matched: 3, duplicates: 2, notRegistered: 2, ambiguous: 3, invalid: 2 });
    const rows = byRow(res.body.rows as RowResult[]);
    expect(rows.get(2)).to.include({ status: 'matched' });
    expect(rows.get(3)).to.deep.equal({ row: 3, status: 'duplicate', proposalId: rows.get(2)!.proposalId });
    const notRegistered = [{ column: 'idNumber', message: '没有找到登记在册的这位老人，请核对身份证号' }];
    expect(rows.get(4)).to.deep.equal({ row: 4, status: 'not_registered', errors: notRegistered });
    expect(rows.get(5)).to.deep.equal({ row: 5, status: 'not_registered', errors: notRegistered });
    expect(rows.get(6)).to.deep.equal({ row: 6, status: 'ambiguous', errors: [{ column: 'event', message: '该老人已有“2026-10-15 死亡”的信息，与“2026-10-16 死亡”不一致，请人工核实' }] });
    expect(rows.get(7)).to.deep.equal({ row: 7, status: 'ambiguous', errors: [{ column: 'event', message: '没有 2026-10-09 或之前的住院（入院）信息，无法确定住院期间，请人工核实' }] });
    expect(rows.get(8)!.status).to.equal('invalid');
    expect(rows.get(8)!.errors!.map((e) => e.column)).to.deep.equal(['idNumber', 'event', 'date']);
    expect(rows.get(8)!.errors![1]!.message).to.equal('无法识别的事件“结婚”：应为死亡、住院（入院）、出院或迁出');
    expect(rows.get(8)!.errors![2]!.message).to.equal('日期应写作 2026-10-15 或 2026/10/15');
    expect(rows.get(9)).to.deep.equal({ row: 9, status: 'invalid', errors: [{ column: 'date', message: '日期 2099-01-01 晚于今天，事件不能发生在未来' }] });
    expect(rows.get(10)).to.include({ status: 'matched' });
    expect(rows.get(11)).to.include({ status: 'matched' });
    expect(rows.get(12)).to.deep.equal({ row: 12, status: 'duplicate' });
    expect(rows.get(13)).to.deep.equal({ row: 13, status: 'ambiguous', errors: [{ column: 'date', message: '老人已于 2026-10-01 注销（迁出），其后不应再有“2026-10-05 住院”，请人工核实' }] });

    // One pending proposal per matched row, and nothing for the others; the ID number is nowhere in them.
    const stored = await ProposalModel.find({}).sort({ date: 1 }).lean();
    expect(stored.map((p) => [p.seniorId, p.event, p.date, p.status, p.importedBy])).to.deep.equal([
      [stay.id, 'hospital_admission', '2026-10-03', 'pending', w.importer.actor.id],
      [stay.id, 'hospital_discharge', '2026-10-09', 'pending', w.importer.actor.id],
      [dying.id, 'death', '2026-10-15', 'pending', w.importer.actor.id],
    ]);
    expect(JSON.stringify(stored)).to.not.include(dying.idNumber.slice(6, 14));
    expect(stored.map((p) => String(p._id)).sort()).to.deep.equal([2, 10, 11].map((row) => rows.get(row)!.proposalId).sort());
    // The reported death stops new dispatch at once; nobody else is held.
    expect((await SeniorModel.findById(dying.id).lean())!.dispatchHold).to.include({ reason: '收到 2026-10-15 的死亡信息，等待街道确认', by: w.importer.actor.id });
    expect((await SeniorModel.findById(stay.id).lean())!.dispatchHold).to.equal(null);
    // The register is unchanged until someone decides.
    expect((await SeniorModel.findById(stay.id).lean())!.status).to.equal('active');
  });

  it('lets an admin match a senior of any street', async () => {
    const elsewhere = await w.registered('other');

    const res = await w.upload(feed([[elsewhere.idNumber, 'moved_out', '2026-11-02']]), w.lifeAdmin.authorization);

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ total: 1, matched: 1 });
    expect(await ProposalModel.findById(res.body.rows[0].proposalId).lean()).to.include({ seniorId: elsewhere.id, streetId: w.otherStreet.id, event: 'moved_out', importedBy: w.lifeAdmin.actor.id });
  });

  it('changes nothing when the same feed comes again (every matched row a duplicate of its proposal)', async () => {
    const [dying, stay] = [await w.registered('north'), await w.registered('south')];
    const content = feed([[dying.idNumber, '死亡', '2026-10-15'], [stay.idNumber, '住院', '2026-10-03'], [stay.idNumber, '出院', '2026-10-09']]);
    const first = await w.upload(content);
    const snapshot = async () => ({
      proposals: await ProposalModel.find({}).sort({ _id: 1 }).lean(),
      seniors: (await SeniorModel.find({}).sort({ _id: 1 }).lean()).map((s) => ({ id: String(s._id), status: s.status, dispatchHold: s.dispatchHold, updatedAt: s.updatedAt })),
      history: await SeniorHistoryModel.countDocuments({}),
      collections: Object.fromEntries(await Promise.all(Object.values(mongoose.models).filter((m) => m.modelName !== 'AuditEntry' && m.modelName !== 'AuditHead').map(async (m) => [m.modelName, await m.countDocuments({})]))),
    });
    const before = await snapshot();

    const again = await w.upload(content, w.decider.authorization);

    expect(again.status).to.equal(200);
    expect(again.body).to.include({ total: 3, matched: 0, duplicates: 3 });
    expect(again.body.rows.map((r: RowResult) => r.proposalId)).to.deep.equal(first.body.rows.map((r: RowResult) => r.proposalId));
    expect(await snapshot()).to.deep.equal(before);
  });

  it('reads an XLSX feed with real date cells and Chinese or English headings', async () => {
    const senior = await w.registered('north');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('死亡名单');
    sheet.addRow(['idNumber', '事件', 'date']);
    sheet.addRow([senior.idNumber, '死亡', new Date(Date.UTC(2026, 9, 15))]);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());

    const res = await w.upload(file, w.importer.authorization, '死亡名单.xlsx');

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ total: 1, matched: 1 });
    expect(await ProposalModel.findById(res.body.rows[0].proposalId).lean()).to.include({ event: 'death', date: '2026-10-15', sourceFile: '死亡名单.xlsx' });
  });

  it('refuses a file without the required columns as a whole (400), writing nothing', async () => {
    const res = await w.upload('身份证号,日期\n110101194805060011,2026-10-15\n');

    expect(res.status).to.equal(400);
    expect(res.body.error.message).to.include('缺少必需的列：事件');
    expect(await ProposalModel.countDocuments({})).to.equal(0);
  });

  it('answers 403 to roles that do not decide life events', async () => {
    const res = await request(app).post('/api/v1/life-events/imports').set('Authorization', w.finance.authorization).attach('file', Buffer.from(feed([])), 'feed.csv');

    expect(res.status).to.equal(403);
  });
});
