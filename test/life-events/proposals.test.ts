import { expect } from 'chai';
import { ProposalModel } from '../../src/life-events/life-event.model.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { SeniorHistoryModel, SeniorModel } from '../../src/seniors/senior.model.ts';
import { useLifeEventWorld, type LifeEventWorld } from './life-events.fixtures.ts';

/*
 * Deciding the proposals (issue 19, point 2): the queue, four eyes, a pending death's hold on
 * dispatch, the street's scope, and a confirmation cut off by a crash finished by a retry.
 */
describe('life-event proposals: the queue and its decisions', function () {
  this.timeout(120_000);
  const { world } = useLifeEventWorld();
  let w: LifeEventWorld;

  beforeEach(async () => {
    w = world();
    await w.issue(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7));
  });

  it('refuses new orders for a senior whose reported death waits (422), and takes them again once it is rejected', async () => {
    const senior = await w.registered('north');
    expect((await w.orderFor(senior.id)).status).to.equal(201);
    const id = await w.proposed(senior.idNumber, '死亡', '2026-11-20');

    const refused = await w.orderFor(senior.id);
    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('NOT_ELIGIBLE');
    expect(refused.body.error.details[0].message).to.equal('暂停为该老人派单：收到 2026-11-20 的死亡信息，等待街道确认');

    const rejected = await w.decide(id, 'reject', { reason: '经核实老人健在，数据有误' });

    expect(rejected.status, JSON.stringify(rejected.body)).to.equal(200);
    expect(rejected.body).to.include({ id, status: 'rejected', decidedBy: w.decider.actor.id, note: '经核实老人健在，数据有误' });
    expect((await SeniorModel.findById(senior.id).lean())!).to.include({ status: 'active', dispatchHold: null });
    expect((await w.orderFor(senior.id, 14)).status).to.equal(201);
    expect(await AuditEntryModel.countDocuments({ action: 'life_event.reject', entityId: id })).to.equal(1);
  });

  it('does not let the importer decide their own import (422 SELF_APPROVAL), and changes nothing', async () => {
    const senior = await w.registered('north');
    const id = await w.proposed(senior.idNumber, '死亡', '2026-11-20');

    for (const verb of ['confirm', 'reject'] as const) {
      const res = await w.decide(id, verb, {}, w.importer.authorization);
      expect(res.status, verb).to.equal(422);
      expect(res.body.error.code).to.equal('SELF_APPROVAL');
      expect(res.body.error.details[0].message).to.equal('导入该信息的人不能自己确认或驳回，请由另一位街道工作人员处理');
    }
    expect((await ProposalModel.findById(id).lean())!.status).to.equal('pending');
    expect((await SeniorModel.findById(senior.id).lean())!.status).to.equal('active');
  });

  it('answers 409 INVALID_TRANSITION to a decision on a decided proposal', async () => {
    const senior = await w.registered('north');
    const id = await w.proposed(senior.idNumber, '迁出', '2026-11-20');
    expect((await w.decide(id, 'confirm', { note: '民政数据核实' })).status).to.equal(200);

    for (const verb of ['confirm', 'reject'] as const) {
      const res = await w.decide(id, verb, {}, w.lifeAdmin.authorization);
      expect(res.status, verb).to.equal(409);
      expect(res.body.error.code).to.equal('INVALID_TRANSITION');
      expect(res.body.error.details[0].message).to.equal('该信息已确认');
    }
    expect(await SeniorHistoryModel.countDocuments({ seniorId: senior.id, action: 'deactivate' })).to.equal(1);
  });

  it('keeps a street officer to their street: another street\'s proposal is 404 and not in their queue', async () => {
    const [ours, theirs] = [await w.registered('north'), await w.registered('other')];
    const own = await w.proposed(ours.idNumber, '住院', '2026-11-20');
    const other = (await w.upload(`身份证号,事件,日期\n${theirs.idNumber},住院,2026-11-20\n`, w.lifeAdmin.authorization)).body.rows[0].proposalId as string;

    for (const verb of ['confirm', 'reject'] as const) {
      const res = await w.decide(other, verb, {}, w.decider.authorization);
      expect(res.status, verb).to.equal(404);
      expect(res.body.error.code).to.equal('NOT_FOUND');
    }
    const queue = await w.proposals('?status=pending');
    expect(queue.status).to.equal(200);
    expect(queue.body.items.map((p: { id: string }) => p.id)).to.deep.equal([own]);
    expect(queue.body.items[0]).to.include({ seniorId: ours.id, seniorName: '王秀英', event: 'hospital_admission', date: '2026-11-20', status: 'pending', importedBy: w.importer.actor.id, decidedBy: null });
    expect(queue.body.items[0].seniorIdNumberMasked).to.match(/^\d{6}\*{8}\d{3}[\dX]$/);
    const all = await w.proposals('', w.lifeAdmin.authorization);
    expect(all.body.items.map((p: { id: string }) => p.id).sort()).to.deep.equal([own, other].sort());
    expect((await ProposalModel.findById(other).lean())!.status).to.equal('pending');
  });

  it('pages the queue newest first by cursor, never repeating or skipping while proposals are added', async () => {
    const seniors = [await w.registered('north'), await w.registered('north'), await w.registered('south')];
    const ids = [];
    for (const senior of seniors) ids.push(await w.proposed(senior.idNumber, '住院', '2026-11-20'));

    const first = await w.proposals('?pageSize=2');
    const added = await w.proposed((await w.registered('south')).idNumber, '住院', '2026-11-21');
    const second = await w.proposals(`?pageSize=2&cursor=${first.body.nextCursor}`);

    expect(first.body).to.include({ page: 1, pageSize: 2, total: 3, totalIsEstimate: false });
    expect([...first.body.items, ...second.body.items].map((p: { id: string }) => p.id)).to.deep.equal([...ids].reverse());
    expect(second.body.nextCursor).to.equal(null);
    expect((await w.proposals('?pageSize=2')).body.items[0].id).to.equal(added);
    expect((await w.proposals('?cursor=not-a-cursor!')).status).to.equal(400);
  });

  it('finishes a confirmation a crash cut off after marking it confirming, once, on a retry', async () => {
    const senior = await w.registered('north');
    const id = await w.proposed(senior.idNumber, '死亡', '2026-11-20');
    // As the process leaves it when it dies right after the proposal is marked: nothing applied yet.
    await ProposalModel.updateOne({ _id: id }, { $set: { status: 'confirming', decidedBy: w.decider.actor.id, decidedAt: new Date() } });
    expect((await w.proposals('?status=confirming')).body.items.map((p: { id: string }) => p.id)).to.deep.equal([id]);

    const retried = await w.decide(id, 'confirm');

    expect(retried.status, JSON.stringify(retried.body)).to.equal(200);
    expect(retried.body).to.deep.include({ status: 'confirmed', decidedBy: w.decider.actor.id });
    expect(retried.body.outcome).to.deep.include({ seniorAction: 'deactivate', seniorStatus: 'deactivated' });
    const stored = (await SeniorModel.findById(senior.id).lean())!;
    expect(stored).to.deep.include({ status: 'deactivated', deactivation: { reason: 'deceased', effectiveDate: '2026-11-20' }, dispatchHold: null });
    expect(await SeniorHistoryModel.countDocuments({ seniorId: senior.id, action: 'deactivate' })).to.equal(1);
  });

  it('finishes a confirmation cut off after the senior\'s change, without changing the senior twice', async () => {
    const senior = await w.registered('north');
    const id = await w.proposed(senior.idNumber, '死亡', '2026-11-20');
    expect((await w.decide(id, 'confirm')).status).to.equal(200);
    // As if it had died after the deactivation, before the proposal was marked confirmed.
    await ProposalModel.updateOne({ _id: id }, { $set: { status: 'confirming', outcome: null } });
    const history = await SeniorHistoryModel.countDocuments({ seniorId: senior.id });

    const retried = await w.decide(id, 'confirm');

    expect(retried.status, JSON.stringify(retried.body)).to.equal(200);
    expect(retried.body.status).to.equal('confirmed');
    expect(retried.body.outcome).to.deep.include({ seniorAction: null, seniorStatus: 'deactivated' });
    expect(await SeniorHistoryModel.countDocuments({ seniorId: senior.id })).to.equal(history);
  });

  it('refuses to confirm what has become contradictory since the upload (409), leaving it pending to reject', async () => {
    const senior = await w.registered('north');
    const id = await w.proposed(senior.idNumber, '住院', '2026-11-20');
    // The community's staff suspended the senior themselves the next day, and resumed them on the 25th.
    expect((await w.post(`/seniors/${senior.id}/suspend`, { reason: '家属告知住院', effectiveDate: '2026-11-21' })).status).to.equal(200);
    expect((await w.post(`/seniors/${senior.id}/resume`, { effectiveDate: '2026-11-25' })).status).to.equal(200);

    const res = await w.decide(id, 'confirm');

    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error.details[0].message).to.equal('日期早于老人最近一次状态变更，无法按 2026-11-20 暂停服务，请人工核实；请驳回该信息');
    expect((await ProposalModel.findById(id).lean())!.status).to.equal('pending');
    expect((await w.decide(id, 'reject')).status).to.equal(200);
  });
});
