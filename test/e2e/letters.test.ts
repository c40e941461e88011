import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { makeMonthlyLetters } from '../../src/letters/index.ts';
import { storedLetterPdf } from '../../src/letters/letters.store.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { TEST_USER_PASSWORD, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { pdfPages } from '../letters/letters.fixtures.ts';
import { launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld } from './world.ts';

// The community worker's month start (issue 20, points 4 and 5): last month's letters of the
// community, made by the monthly-letters job, downloaded from 月度告知书 as the PDF to print — one
// page per senior on the register —, and a senior's card downloaded from the senior's page.

const lastMonth = () => {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
};

describe('web console: a community worker downloads the monthly letters and a senior\'s card (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  const month = lastMonth();
  const [year, mm] = month.split('-') as [string, string];

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    expect(await makeMonthlyLetters(month, { config: testConfig() })).to.deep.include({ made: 1, pages: 3 });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.community.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('downloads last month\'s letters of the community from 月度告知书: the stored PDF, a page per senior', async () => {
    await page.getByRole('menuitem', { name: '月度告知书' }).click();
    await page.getByRole('heading', { name: '月度告知书' }).waitFor();
    const button = page.locator('[data-test="download-letters"]');
    await button.filter({ hasText: `下载${year}年${Number(mm)}月告知书` }).waitFor();
    expect(await page.locator('[data-test="letters-community"]').innerText()).to.contain('安居苑社区');

    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);

    expect(download.suggestedFilename()).to.equal(`告知书-安居苑社区-${year}年${mm}月.pdf`);
    const pdf = await readFile(await download.path());
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(Buffer.compare(pdf, (await storedLetterPdf(month, world.community.id))!.pdf)).to.equal(0);
    const pages = await pdfPages(pdf);
    expect(pages).to.have.length(3);
    expect(pages.join('\n')).to.contain('王秀英 老人及家属').and.contain('赵德明 老人及家属').and.contain('孙玉兰 老人及家属');
  });

  it('downloads a senior\'s card as a PDF from the senior\'s page', async () => {
    const senior = (await SeniorModel.findOne({ name: '赵德明' }).lean())!;
    await page.goto(`/seniors/${String(senior._id)}`);
    await page.getByRole('heading', { name: '赵德明' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="download-card"]').click()]);

    expect(download.suggestedFilename()).to.equal('服务卡-赵德明.pdf');
    const [card] = await pdfPages(await readFile(await download.path()));
    expect(card).to.contain('姓名：赵德明').and.contain('社区：安居苑社区').and.contain('请把个人确认码写在这里');
  });
});
