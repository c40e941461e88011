import { expect } from 'chai';
import request from 'supertest';
import { z } from 'zod';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { auditVerifyJob } from '../../src/audit/index.ts';
import { JobRunModel } from '../../src/jobs/job.model.ts';
import type { JobDefinition } from '../../src/shared/job-definition.ts';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

let releaseSlowJob: () => void = () => undefined;
const slowJob: JobDefinition = {
  name: 'slow-job',
  description: 'waits until the test lets it finish',
  schedule: '0 0 2 1 * *',
  params: z.object({ month: z.string().regex(/^\d{4}-\d\d$/) }).strict(),
  paramsForTick: () => ({ month: '2026-10' }),
  run: () => new Promise((resolve) => { releaseSlowJob = () => resolve({ statements: 3 }); }),
};

describe('jobs API', () => {
  useTestDatabase();
  const { app, config } = createTestApp({ jobs: [auditVerifyJob, slowJob] as JobDefinition[] });
  let admin: string;
  let adminId: string;
  beforeEach(async () => {
    await clearCollections();
    const auth = await authFor(config, 'admin');
    admin = auth.authorization;
    adminId = auth.actor.id;
  });

  it('runs a job on demand, waits for it with ?wait=true, and audits the request', async () => {
    const res = await request(app).post('/api/v1/jobs/audit-verify/run?wait=true').set('Authorization', admin).send({});

    expect(res.status).to.equal(200);
    expect(res.body.finished).to.equal(true);
    expect(res.body.run, res.body.run.error).to.include({ name: 'audit-verify', trigger: 'manual', status: 'succeeded', requestedBy: adminId });
    // Nothing to check yet; the day's anchor is the head as it then is: this request's own audit
    // entry, or none yet (it is written beside the run).
    expect(res.body.run.counts.checked).to.equal(0);
    expect(res.body.run.counts.anchoredSeq).to.be.oneOf([0, 1]);
    const stored = await JobRunModel.findById(res.body.run.id).lean();
    expect(stored!.status).to.equal('succeeded');
    const audit = await AuditEntryModel.findOne({ action: 'job.run', entityId: 'audit-verify' }).lean();
    expect(audit).to.include({ actorId: adminId, actorRole: 'admin' });
    expect(audit!.after).to.deep.equal({ runId: res.body.run.id, params: {} });
  });

  it('answers 202 at once without ?wait, and 409 JOB_RUNNING for a second run meanwhile', async () => {
    const first = await request(app).post('/api/v1/jobs/slow-job/run').set('Authorization', admin).send({ month: '2026-10' });
    const second = await request(app).post('/api/v1/jobs/slow-job/run').set('Authorization', admin).send({ month: '2026-10' });
    releaseSlowJob();

    expect(first.status).to.equal(202);
    expect(first.body).to.deep.include({ finished: false });
    expect(first.body.run).to.include({ status: 'running', trigger: 'manual' });
    expect(second.status).to.equal(409);
    expect(second.body.error.code).to.equal('JOB_RUNNING');
  });

  it('validates a job\'s parameters with that job\'s own schema', async () => {
    const res = await request(app).post('/api/v1/jobs/slow-job/run').set('Authorization', admin).send({ month: 'October' });

    expect(res.status).to.equal(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['month']);
    expect(await JobRunModel.countDocuments()).to.equal(0);
  });

  it('lists jobs with schedule, time zone and last run', async () => {
    await request(app).post('/api/v1/jobs/audit-verify/run?wait=true').set('Authorization', admin).send({});

    const res = await request(app).get('/api/v1/jobs').set('Authorization', admin);

    expect(res.status).to.equal(200);
    const verify = res.body.find((job: { name: string }) => job.name === 'audit-verify');
    expect(verify).to.include({ schedule: '0 30 3 * * *', timeZone: 'Asia/Shanghai' });
    expect(verify.lastRun).to.include({ status: 'succeeded' });
    expect(res.body.find((job: { name: string }) => job.name === 'slow-job').lastRun).to.equal(null);
  });

  it('lists runs newest first, filtered by name and status', async () => {
    await request(app).post('/api/v1/jobs/audit-verify/run?wait=true').set('Authorization', admin).send({});
    await request(app).post('/api/v1/jobs/audit-verify/run?wait=true').set('Authorization', admin).send({});

    const res = await request(app).get('/api/v1/jobs/runs?name=audit-verify&status=succeeded').set('Authorization', admin);
    const none = await request(app).get('/api/v1/jobs/runs?name=slow-job').set('Authorization', admin);

    expect(res.status).to.equal(200);
    expect(res.body.total).to.equal(2);
    const [newer, older] = res.body.items as { startedAt: string }[];
    expect(Date.parse(newer!.startedAt)).to.be.at.least(Date.parse(older!.startedAt));
    expect(none.body).to.deep.equal({ items: [], page: 1, pageSize: 20, total: 0, totalIsEstimate: false, nextCursor: null });
  });

  it('is for admins only', async () => {
    const res = await request(app).post('/api/v1/jobs/audit-verify/run').set('Authorization', await tokenFor(config, 'finance_officer')).send({});

    expect(res.status).to.equal(403);
    expect(await JobRunModel.countDocuments()).to.equal(0);
  });
});
