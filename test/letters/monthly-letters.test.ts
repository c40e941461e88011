import { expect } from 'chai';
import request from 'supertest';
import { letterFaults, makeMonthlyLetters } from '../../src/letters/letters.jobs.ts';
import { LetterChunkModel, LetterMonthModel, LetterSetModel } from '../../src/letters/letters.model.ts';
import { storedLetterPdf } from '../../src/letters/letters.store.ts';
import { deliverDueNotifications, logSender, setNotificationSender } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { allCommunities } from '../../src/organisation/index.ts';
import { addMonths } from '../../src/shared/time.ts';
import { createTestApp } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { recordingSender } from '../notifications/notification.fixtures.ts';
import { binary, letterWorld, pdfPages } from './letters.fixtures.ts';

const shanghai = (dayAndTime: string) => new Date(`${dayAndTime.replace(' ', 'T')}:00+08:00`);

describe('monthly letters: GET /letters and the monthly-letters job', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: Awaited<ReturnType<typeof letterWorld>>;
  before(async () => {
    w = await letterWorld(app, config);
  });
  afterEach(() => {
    letterFaults.beforeComplete = null;
    setNotificationSender(logSender);
  });

  const letters = (communityId: string, authorization: string, month = w.month) =>
    binary(request(app).get(`/api/v1/letters?month=${month}&communityId=${communityId}`).set('Authorization', authorization));
  const letterSms = () => NotificationModel.find({ template: { $in: ['monthly_letter', 'monthly_letter_family'] } }).lean();
  const resetJob = () => Promise.all([LetterSetModel.deleteMany({}), LetterChunkModel.deleteMany({}), LetterMonthModel.deleteMany({}), NotificationModel.deleteMany({})]);

  it('prints one page per active senior with the month\'s figures in yuan: vouchers, visits, the lapse and the correction', async () => {
    const res = await letters(w.anju.id, w.staff.authorization);

    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    const [year, month] = w.month.split('-');
    expect(decodeURIComponent(res.headers['content-disposition'] as string)).to.contain(`告知书-安居苑社区-${year}年${month}月.pdf`);
    expect((res.body as Buffer).subarray(0, 5).toString()).to.equal('%PDF-');
    const pages = await pdfPages(res.body as Buffer);
    // 王秀英 and 赵德明 are active; 孙玉兰 awaits approval and gets no letter.
    expect(pages).to.have.length(2);
    const [wang, zhao] = pages as [string, string];
    expect(wang).to.contain('王秀英 老人及家属').and.contain(`${year}年${Number(month)}月`);
    // Issued 500.00 at approval; two visits of 20.00 subsidy each; +30.00 corrected; the third visit's
    // 20.00 still held at the month's end; the rest (500 + 30 − 40 − 20 = 470.00) lapsed.
    for (const figure of ['上月结余： 0.00 元', '本月发放： 500.00 元', '本月使用： 40.00 元', '月底失效： 470.00 元', '调整： +30.00 元', '月末余额：20.00 元', '其中 20.00 元 为已预约']) {
      expect(wang.replace(/\s+/g, ' '), figure).to.contain(figure);
    }
    expect(wang).to.contain('本月上门服务（共 2 次）');
    expect(wang.match(/\d+月\d+日 助洁 安心养老服务中心 20\.00 元 20\.00 元/g)).to.have.length(2);
    expect(wang).to.contain('当月有效').and.contain('月底没有用完的额度自动失效');
    expect(wang).to.contain('服务热线').and.contain(config.serviceHotline).and.contain('12345');
    expect(wang).to.contain('139****5678').and.not.contain('13912345678');
    expect(zhao).to.contain('赵德明').and.contain('本月发放： 500.00 元').and.contain('月底失效： 500.00 元').and.contain('本月没有经确认的上门服务');
    for (const senior of Object.values(w.seniors)) expect(pages.join('\n')).not.to.contain(senior.idNumber);
  });

  it('answers 404 for another community\'s letters and 400 for a month not begun', async () => {
    expect((await letters(w.tongcheng.id, w.staff.authorization)).status).to.equal(404);
    expect((await letters('0123456789abcdef01234567', w.staff.authorization)).status).to.equal(404);
    const future = await request(app).get(`/api/v1/letters?month=${addMonths(w.month, 1)}&communityId=${w.anju.id}`).set('Authorization', w.staff.authorization);
    expect(future.status).to.equal(400);
    expect(future.body.error.details[0].path).to.equal('month');
    const admin = await letters(w.tongcheng.id, w.admin);
    expect(admin.status).to.equal(200);
    expect(await pdfPages(admin.body as Buffer)).to.have.length(1);
  });

  it('makes every community\'s PDF and SMS once, however often it runs', async () => {
    await resetJob();
    const first = await makeMonthlyLetters(w.month, { config, runId: 'run-1' });
    const second = await makeMonthlyLetters(w.month, { config, runId: 'run-2' });

    expect(first).to.deep.include({ made: 3, skipped: 0, pages: 4, smsEnqueued: 3, smsUnreachable: 0 });
    expect(second).to.deep.include({ made: 0, skipped: 3, pages: 0, smsEnqueued: 0 });
    const sets = await LetterSetModel.find({ month: w.month }).lean();
    expect(sets.map((set) => set.communityId).sort()).to.deep.equal([w.anju.id, w.tongcheng.id, w.empty.id].sort());
    for (const set of sets) expect(set).to.deep.include({ runId: 'run-1', chunkCount: 1 }).and.have.property('completedAt').that.is.a('date');
    expect(await LetterChunkModel.countDocuments()).to.equal(3);
    expect(await LetterMonthModel.findById(w.month).lean()).to.deep.include({ communities: 3 });

    const sms = await letterSms();
    expect(sms.map((message) => message._id).sort()).to.deep.equal([w.seniors.wang.id, w.seniors.zhao.id, w.seniors.li.id].map((id) => `monthly-letter:${w.month}:${id}`).sort());
    const byId = new Map(sms.map((message) => [message.subject.id, message]));
    const wang = byId.get(w.seniors.wang.id)!;
    expect(wang).to.deep.include({ channel: 'sms', template: 'monthly_letter' });
    expect(wang.recipient).to.deep.include({ kind: 'senior', phoneMasked: '139****5678', communityId: w.anju.id });
    expect(wang.params).to.deep.equal({ month: `${Number(w.month.slice(5))}月`, issuedYuan: '500.00', usedYuan: '40.00', visitCount: '2', adjustedYuan: '+30.00', lapsedYuan: '470.00', balanceYuan: '20.00' });
    // 赵德明 has a landline only: the SMS goes to his son, naming him masked.
    const zhao = byId.get(w.seniors.zhao.id)!;
    expect(zhao).to.deep.include({ template: 'monthly_letter_family' });
    expect(zhao.recipient).to.deep.include({ kind: 'emergency_contact', name: '赵强', phoneMasked: '138****2222' });
    expect(zhao.params).to.deep.include({ seniorName: '赵*明', lapsedYuan: '500.00', visitCount: '0' });
    const everything = JSON.stringify(sms);
    for (const secret of ['13912345678', '13800002222', ...Object.values(w.seniors).map((s) => s.idNumber)]) expect(everything).not.to.contain(secret);

    // GET /letters now answers the stored file, byte for byte.
    const stored = await storedLetterPdf(w.month, w.anju.id);
    const answered = await letters(w.anju.id, w.staff.authorization);
    expect(Buffer.compare(answered.body as Buffer, stored!.pdf)).to.equal(0);
    expect(await pdfPages(stored!.pdf)).to.have.length(2);
    const empty = await pdfPages((await storedLetterPdf(w.month, w.empty.id))!.pdf);
    expect(empty).to.have.length(1);
    expect(empty[0]).to.contain('没有在册享受服务的老人');
  });

  it('resumes after a crash: only the unfinished communities are made, each senior texted once', async () => {
    await resetJob();
    const [firstCommunity, secondCommunity] = await allCommunities();
    let made = 0;
    letterFaults.beforeComplete = () => {
      made += 1;
      if (made === 2) throw new Error('crash between the SMS and the mark');
    };

    let crashed: unknown;
    await makeMonthlyLetters(w.month, { config, runId: 'crashed' }).catch((error: unknown) => (crashed = error));
    expect(crashed).to.be.an('error');
    expect((await LetterSetModel.find({ completedAt: { $ne: null } }).lean()).map((set) => set.communityId)).to.deep.equal([firstCommunity!.id]);
    const halfDone = await LetterSetModel.findById(`${w.month}:${secondCommunity!.id}`).lean();
    expect(halfDone).to.deep.include({ completedAt: null });
    const smsBefore = (await letterSms()).length;

    letterFaults.beforeComplete = null;
    const resumed = await makeMonthlyLetters(w.month, { config, runId: 'resumed' });

    expect(resumed).to.deep.include({ made: 2, skipped: 1 });
    const sets = await LetterSetModel.find({ month: w.month }).lean();
    expect(sets.filter((set) => set.completedAt)).to.have.length(3);
    expect(sets.find((set) => set.communityId === firstCommunity!.id)).to.deep.include({ runId: 'crashed' });
    expect(sets.find((set) => set.communityId === secondCommunity!.id)).to.deep.include({ runId: 'resumed' });
    const sms = await letterSms();
    expect(sms).to.have.length(3);
    expect(new Set(sms.map((message) => message.subject.id)).size).to.equal(3);
    expect(resumed.smsEnqueued).to.equal(3 - smsBefore);
  });

  it('keeps the letter SMS back in quiet hours: the 06:00 run\'s go at 08:00, an evening run\'s the next morning', async () => {
    const quietHours = { ...config.sms.quietHours, timeZone: config.businessTimeZone };
    expect(quietHours).to.deep.include({ startMinute: 21 * 60, endMinute: 8 * 60 });
    const sender = recordingSender();
    setNotificationSender(sender);
    const secondOfNext = `${addMonths(w.month, 1)}-02`;

    // The scheduled tick: 06:00 on the 2nd, inside the quiet hours.
    await resetJob();
    await makeMonthlyLetters(w.month, { config, runId: 'dawn', now: shanghai(`${secondOfNext} 06:00`) });
    const held = await letterSms();
    expect(held).to.have.length(3);
    for (const sms of held) {
      expect(sms).to.deep.include({ status: 'pending', attempts: 0, quietHours: true });
      expect(sms.nextAttemptAt!.toISOString(), sms._id).to.equal(shanghai(`${secondOfNext} 08:00`).toISOString());
    }
    const early = await deliverDueNotifications({ keys: config.pii, now: shanghai(`${secondOfNext} 07:59`), quietHours });
    expect(early.sent).to.equal(0);
    expect(sender.received).to.have.length(0);
    const morning = await deliverDueNotifications({ keys: config.pii, now: shanghai(`${secondOfNext} 08:00`), quietHours });
    expect(morning.sent).to.equal(3);
    expect(sender.received.map((n) => n.template).sort()).to.deep.equal(['monthly_letter', 'monthly_letter', 'monthly_letter_family']);
    for (const sms of await letterSms()) expect(sms.sentAt!.toISOString(), sms._id).to.equal(shanghai(`${secondOfNext} 08:00`).toISOString());

    // A run started by hand at 22:00 (a catch-up): due at 08:00 the next morning.
    await resetJob();
    await makeMonthlyLetters(w.month, { config, runId: 'evening', now: shanghai(`${secondOfNext} 22:00`) });
    for (const sms of await letterSms()) expect(sms.nextAttemptAt!.toISOString(), sms._id).to.equal(shanghai(`${addMonths(w.month, 1)}-03 08:00`).toISOString());
    const night = await deliverDueNotifications({ keys: config.pii, now: shanghai(`${secondOfNext} 23:30`), quietHours });
    expect(night.sent).to.equal(0);

    // In the daytime it is due at once.
    await resetJob();
    const noon = shanghai(`${secondOfNext} 12:00`);
    await makeMonthlyLetters(w.month, { config, runId: 'noon', now: noon });
    for (const sms of await letterSms()) expect(sms.nextAttemptAt!.toISOString(), sms._id).to.equal(noon.toISOString());
  });
});
