import { expect } from 'chai';
import type { Browser, Page, Request } from 'playwright-core';
import { ProviderModel } from '../../src/organisation/providers.model.ts';
import { UserModel } from '../../src/identity/user.model.ts';
import { TEST_USER_PASSWORD, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { choose, launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld } from './world.ts';

// The district admin's forms say what is missing before they send, in Chinese beside each field,
// and each error goes once its field is filled; then the server's own field errors take the place.

describe('web console: the admin\'s forms (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  const posts: string[] = [];

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    await buildWorld(server.baseUrl);
    const admin = await createTestUser('admin', { username: 'e2e.formadmin', displayName: '区管理员' });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    page.on('request', (request: Request) => { if (request.method() === 'POST' && request.url().includes('/api/v1/')) posts.push(new URL(request.url()).pathname); });
    await signIn(page, admin.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const errorTexts = async () => (await page.locator('.el-dialog .el-form-item__error').allInnerTexts()).filter(Boolean);

  it('refuses an empty provider before sending, and clears each error as its field is filled', async () => {
    await page.goto('/admin/providers');
    const before = await ProviderModel.countDocuments();
    await page.getByRole('button', { name: '新增服务商' }).click();
    posts.length = 0;
    await page.locator('.el-dialog').getByRole('button', { name: '保存' }).click();
    await page.locator('.el-dialog .el-form-item__error', { hasText: '请填写名称' }).waitFor();
    expect(await errorTexts()).to.have.members(['请填写名称', '请填写统一社会信用代码', '请填写联系人', '请填写联系电话', '请填写地址', '请至少选择一个服务社区']);
    expect(posts).to.deep.equal([]);

    await page.locator('.el-dialog').getByLabel('名称').fill('蜀山区爱心护理站');
    await page.locator('.el-dialog .el-form-item__error', { hasText: '请填写名称' }).waitFor({ state: 'detached' });
    expect(await errorTexts()).to.not.include('请填写名称');
    expect(await ProviderModel.countDocuments()).to.equal(before);
  });

  it("shows the server's own field errors in plain Chinese beside the fields", async () => {
    const dialog = page.locator('.el-dialog', { hasText: '新增服务商' });
    await dialog.getByLabel('信用代码').fill('91340104MA2N4K7L3X');
    await dialog.getByLabel('联系人').fill('王经理');
    await dialog.getByLabel('联系电话').fill('0551-6512');
    await dialog.getByLabel('地址').fill('合肥市蜀山区长江西路1号');
    await choose(page, '服务社区', '安居苑社区');
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '统一社会信用代码无效' }).waitFor();
    const errors = await errorTexts();
    expect(errors).to.include('电话号码格式不正确');
    for (const error of errors) expect(error).to.match(/[\u4e00-\u9fff]/).and.not.match(/[A-Za-z]{3,}|期望|>=/);
  });

  it('asks for the scope the chosen role needs before sending a new user', async () => {
    await page.goto('/admin/users');
    const before = await UserModel.countDocuments();
    await page.getByRole('button', { name: '新增用户' }).click();
    await page.locator('.el-dialog #user-role').click({ force: true });
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: /^护理员$/ }).click();
    posts.length = 0;
    await page.locator('.el-dialog').getByRole('button', { name: '保存' }).click();
    await page.locator('.el-dialog .el-form-item__error', { hasText: '请选择所属服务商' }).waitFor();
    expect(await errorTexts()).to.have.members(['请填写用户名', '请填写姓名', '请填写初始密码', '请选择所属服务商', '请选择护理员档案']);
    expect(posts).to.deep.equal([]);
    expect(await UserModel.countDocuments()).to.equal(before);
  });
});
