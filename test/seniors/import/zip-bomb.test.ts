import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { AuditEntryModel } from '../../../src/audit/audit.model.ts';
import { OrderModel } from '../../../src/dispatch/order.model.ts';
import { ProposalModel } from '../../../src/life-events/life-event.model.ts';
import { signAccessToken } from '../../../src/shared/http/auth.ts';
import { SeniorModel } from '../../../src/seniors/senior.model.ts';
import { createTestUser, testConfig } from '../../support/app.ts';
import { useTestDatabase } from '../../support/database.ts';
import { killAllServiceProcesses, startServiceProcess, stopServiceProcess, type ServiceProcess } from '../../support/service-process.ts';
import { makeCommunity, makeProvider, makeStreet } from '../../organisation/organisation.fixtures.ts';
import { inflateEveryEntry, overlappingWorkbookBomb, type OverlapBomb } from './zip-bomb.ts';

/*
 * Issue 22, done when: "a zip bomb of 10 KB inflating to > 1 GB is refused within 1 s and the
 * service's RSS grows by < 50 MB". The bombs are Fifield's overlapping-entry construction
 * (zip-bomb.ts) laid out as workbooks, uploaded to the three imports that read workbooks (register,
 * visit records, life events) of the real service as a child process (what `npm start` runs), whose
 * memory is read from /proc: the peak (VmHWM, reset through clear_refs before each upload) against
 * the resident size before it.
 *
 * DEFLATE's 1,032:1 ceiling bounds a zip of S bytes to about 3.7·S² bytes however its entries
 * overlap (zip-bomb.ts): 10 KB cannot inflate to 1 GB. So there are two sizes — the 10 KB bomb,
 * inflating to 377 MB, and the smallest past 1 GiB, 17 KB — each honest (the directory declares
 * what every entry inflates to: refused as too large before anything is inflated) and lying (every
 * entry declares 1 KB, so the declared-size check passes: refused because its entries overlap).
 * Without the overlap check the lying ones were refused too, as "not a readable workbook", in
 * 72-91 ms and +0.6-5.1 MB: exceljs's streaming reader follows the local headers, meets the one at
 * offset 0 and inflates the kernel once (5 or 8 MiB, under the 32 MiB counted limit of
 * limitedEntry), and finds no worksheet.
 */
const BOMBS: { name: string; bomb: OverlapBomb }[] = [
  { name: '10 KB, 72 entries', bomb: overlappingWorkbookBomb({ entries: 72, kernelInflated: 5 * 1024 * 1024 }) },
  { name: '17 KB, 128 entries', bomb: overlappingWorkbookBomb({ entries: 128, kernelInflated: 8 * 1024 * 1024 + 1024 }) },
  { name: '10 KB, 72 entries, lying', bomb: overlappingWorkbookBomb({ entries: 72, kernelInflated: 5 * 1024 * 1024, declaredEach: 1024 }) },
  { name: '17 KB, 128 entries, lying', bomb: overlappingWorkbookBomb({ entries: 128, kernelInflated: 8 * 1024 * 1024 + 1024, declaredEach: 1024 }) },
];
/** The bounds. */
const MAX_MS = 1_000;
const MAX_RSS_GROWTH_MB = 50;

async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Resets the process's peak resident size (VmHWM) to its current one: "5" to clear_refs (Linux ≥ 4.0). */
const resetPeak = (pid: number) => writeFile(`/proc/${pid}/clear_refs`, '5');

describe('zip bombs against the running service (issue 22)', function () {
  this.timeout(180_000);
  const db = useTestDatabase();
  const config = testConfig();
  let service: ServiceProcess;
  let staff: string;
  let provider: string;
  let providerId: string;
  let officer: string;
  const figures: string[] = [];

  before(async () => {
    const street = await makeStreet();
    const community = await makeCommunity(street);
    const providerView = await makeProvider([community.id]);
    providerId = providerView.id;
    staff = `Bearer ${signAccessToken(config, await createTestUser('community_staff', { communityIds: [community.id] }))}`;
    provider = `Bearer ${signAccessToken(config, await createTestUser('provider_admin', { providerId }))}`;
    officer = `Bearer ${signAccessToken(config, await createTestUser('street_officer', { streetId: street.id }))}`;
    service = await startServiceProcess('bombs', db.name());
  });

  after(async () => {
    if (service) await stopServiceProcess(service);
    await killAllServiceProcesses();
    // eslint-disable-next-line no-console -- the figures the issue asks for, in the test's output
    for (const line of figures) console.log(`      ${line}`);
  });

  it('the bombs are what they claim: every entry the directory lists really inflates, > 1 GiB in all for the 17 KB one', () => {
    for (const { bomb } of BOMBS.slice(0, 2)) {
      expect(inflateEveryEntry(bomb.bytes)).to.deep.equal({ entries: bomb.entries, inflated: bomb.inflatedTotal });
      figures.push(`bomb ${bomb.bytes.length} bytes, ${bomb.entries} entries over one ${bomb.kernelCompressed}-byte kernel of ${bomb.kernelInflated} bytes: inflates to ${bomb.inflatedTotal} bytes`);
    }
    const [small, large, smallLie, largeLie] = BOMBS.map(({ bomb }) => bomb);
    expect(small!.bytes.length).to.be.within(10_000, 10_500);
    expect(large!.bytes.length).to.be.below(18_000);
    expect(large!.inflatedTotal).to.be.above(1024 ** 3);
    expect(smallLie!.declaredTotal).to.equal(72 * 1024);
    expect(largeLie!.declaredTotal).to.equal(128 * 1024);
    expect(largeLie!.bytes.length).to.equal(large!.bytes.length);
  });

  /** Posts the file; the time from sending to the whole answer, and the memory around it. */
  async function upload(path: string, authorization: string, bytes: Buffer) {
    const pid = service.child.pid as number;
    const before = await memoryOf(pid);
    await resetPeak(pid);
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'register.xlsx');
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${service.port}/api/v1${path}`, { method: 'POST', headers: { authorization }, body: form });
    const body = await res.json() as { error?: { code: string; message: string; details: { path: string; message: string }[] } };
    const ms = performance.now() - started;
    const after = await memoryOf(pid);
    return { status: res.status, body, ms, peakGrowthMb: after.peakMb - before.rssMb, rssGrowthMb: after.rssMb - before.rssMb };
  }

  it('warms the import route up with an ordinary broken workbook first (so loading code is not counted as the bomb\'s)', async () => {
    const warm = overlappingWorkbookBomb({ entries: 1, kernelInflated: 1024 });
    for (const { path, token } of uploads()) {
      const res = await upload(path, token(), warm.bytes);
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
    }
  });

  /** The three imports that read workbooks (shared/sheets), each as a role that may use it. */
  const uploads = () => [
    { path: '/seniors/import', who: 'community staff', token: () => staff },
    { path: '/service-records/imports', who: 'provider admin', token: () => provider },
    { path: '/life-events/imports', who: 'street officer', token: () => officer },
  ];

  for (const { name, bomb } of BOMBS) {
    for (const { path, who, token } of uploads()) {
      it(`refuses the ${name} bomb (declared ${bomb.declaredTotal} bytes, inflating to ${bomb.inflatedTotal}) at POST ${path} as ${who}: 400 on file within ${MAX_MS} ms, RSS < +${MAX_RSS_GROWTH_MB} MB, nothing written`, async () => {
        const res = await upload(path, token(), bomb.bytes);
        figures.push(`${name} → POST ${path}: ${res.status} in ${Math.round(res.ms)} ms, peak RSS +${res.peakGrowthMb.toFixed(1)} MB (resident afterwards ${res.rssGrowthMb >= 0 ? '+' : ''}${res.rssGrowthMb.toFixed(1)} MB) — ${res.body.error?.message ?? ''}`);

        expect(res.status, JSON.stringify(res.body)).to.equal(400);
        expect(res.body.error?.code).to.equal('VALIDATION_FAILED');
        expect(res.body.error?.details).to.have.length(1);
        expect(res.body.error?.details[0]?.path).to.equal('file');
        // The whole-file error: Chinese in the message (details carry the English), naming the file.
        expect(res.body.error?.message).to.include('Excel 工作簿“register.xlsx”').and.include(bomb.declaredTotal > bomb.inflatedTotal / 2 ? '解压后过大' : '压缩结构异常');
        expect(res.ms, 'answered within the issue\'s 1 s').to.be.at.most(MAX_MS);
        expect(res.peakGrowthMb, 'peak resident growth of the service').to.be.below(MAX_RSS_GROWTH_MB);
        expect(await SeniorModel.countDocuments()).to.equal(0);
        expect(await OrderModel.countDocuments()).to.equal(0);
        expect(await ProposalModel.countDocuments()).to.equal(0);
        expect(await AuditEntryModel.countDocuments({ action: { $in: ['senior.enrol', 'senior.import', 'service_record.import', 'life_event.import'] } })).to.equal(0);
      });
    }
  }
});
