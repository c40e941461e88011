import { expect } from 'chai';
import request from 'supertest';
import { drawLetterPage, type LetterPage } from '../../src/letters/letter.pdf.ts';
import { newDocument } from '../../src/letters/pdf-document.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { binary, letterWorld, pdfPages } from './letters.fixtures.ts';

describe('the senior card and the letter page', function () {
  this.timeout(120_000);

  describe('GET /seniors/:id/card', () => {
    useTestDatabase();
    const { app, config } = createTestApp();
    let w: Awaited<ReturnType<typeof letterWorld>>;
    before(async () => {
      w = await letterWorld(app, config);
    });
    const card = (seniorId: string, authorization: string) => binary(request(app).get(`/api/v1/seniors/${seniorId}/card`).set('Authorization', authorization));

    it('prints the name, community, hotline and how to use the PIN, never the PIN or the ID number', async () => {
      const res = await card(w.seniors.sun.id, w.staff.authorization);

      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/pdf');
      expect(decodeURIComponent(res.headers['content-disposition'] as string)).to.contain('服务卡-孙玉兰.pdf');
      const pages = await pdfPages(res.body as Buffer);
      expect(pages).to.have.length(1);
      const text = pages[0]!;
      expect(text).to.contain('姓名：孙玉兰').and.contain('社区：安居苑社区').and.contain(config.serviceHotline);
      expect(text).to.contain('请把个人确认码写在这里').and.contain('只显示一次，系统不保存');
      expect(text).not.to.contain(w.seniors.sun.idNumber).and.not.to.contain('13700003333');
      expect(text).not.to.match(/\d{6}(?!\d)/);
    });

    it('answers 404 for a senior of another community and 403 to a role that prints no cards', async () => {
      expect((await card(w.seniors.li.id, w.staff.authorization)).status).to.equal(404);
      expect((await card(w.seniors.li.id, w.admin)).status).to.equal(200);
      expect((await card(w.seniors.li.id, await tokenFor(config, 'finance_officer'))).status).to.equal(403);
    });
  });

  describe('one letter page', () => {
    const statement = { seniorId: 's', month: '2026-11', openingFen: 0, issuedFen: 80_000, usedFen: 60_000, adjustedFen: 0, refundedFen: 0, lapsedFen: 20_000, closingFen: 0, closingHeldFen: 0 };
    const setting = { monthText: '2026年11月', communityName: '安居苑社区', hotline: '12349', expiryRule: '服务券按月发放，当月有效。', madeOn: '2026-12-02' };
    const visit = (day: number) => ({ day: `11月${day}日`, service: '助餐', provider: '蜀山区星光老年之家（三里庵街道）', subsidyFen: 2_000, selfPayFen: 500, isDisputed: false });

    async function render(page: LetterPage): Promise<string[]> {
      const { doc, finish } = newDocument('test');
      drawLetterPage(doc, page, setting);
      return pdfPages(await finish());
    }

    it('keeps a month of daily visits on one page and counts the ones that do not fit', async () => {
      const visits = Array.from({ length: 30 }, (_, i) => visit(i + 1));

      const pages = await render({ seniorName: '王秀英', phoneMasked: '139****5678', statement, visits });

      expect(pages).to.have.length(1);
      const shown = pages[0]!.match(/11月\d+日 助餐/g) ?? [];
      expect(shown.length).to.be.within(5, 29);
      expect(pages[0]).to.contain(`另有 ${30 - shown.length} 次服务，详见社区`);
      expect(pages[0]).to.contain('共 30 次').and.contain('四、有疑问或投诉');
    });

    it('lists every visit when they fit, a disputed one marked', async () => {
      const visits = [visit(3), { ...visit(5), isDisputed: true }];

      const [page] = await render({ seniorName: '王秀英', phoneMasked: '139****5678', statement, visits });

      expect(page!.match(/11月\d+日 助餐/g)).to.have.length(2);
      expect(page).to.contain('助餐（有争议）').and.not.contain('另有');
    });
  });
});
