import { expect } from 'chai';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { AMOUNT_COLUMNS, STATEMENT_COLUMNS } from '../../src/settlement/statement-export.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { octoberOfThreeVisits, settlementWorld, type SettlementWorld } from './settlement.fixtures.ts';

type Totals = { grossFen: number; subsidyFen: number; selfPayFen: number; penaltyFen: number; adjustmentFen: number; payableFen: number; cityFen: number; districtFen: number };
type Detail = {
  id: string; period: string; providerName: string; totals: Totals; lines: { orderId: string; orderNumber: string; priceFen: number; subsidyFen: number; selfPayFen: number }[];
  penalties: { amountFen: number; orderNumber: string }[];
};

const binary = (res: NodeJS.ReadableStream & { setEncoding: (e: string) => void }, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};
const yuan = (fen: number) => fen / 100;

describe('settlement files: statement XLSX and CSV, the period summary', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let w: SettlementWorld;
  let statement: Detail;
  let lateOrder: string;

  before(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    ({ lateOrder } = await octoberOfThreeVisits(w));
    const run = await request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2026-10' });
    const id = (run.body.statements as { id: string; providerId: string }[]).find((s) => s.providerId === w.providerA.id)!.id;
    statement = (await request(app).get(`/api/v1/settlements/statements/${id}`).set('Authorization', w.finance.authorization)).body;
  });

  const download = (path: string) => request(app).get(path).set('Authorization', w.finance.authorization).buffer(true).parse(binary as never);

  it('exports a statement as a real workbook: title, frozen Chinese header, yuan amounts with two decimals, a totals row', async () => {
    const res = await download(`/api/v1/settlements/statements/${statement.id}/export?format=xlsx`);

    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.contain('spreadsheetml');
    // The name finance files it under, in RFC 5987 form (Chinese survives), and an ASCII name beside it.
    expect(res.headers['content-disposition']).to.equal(`attachment; filename="statement-${statement.id}.xlsx"; filename*=UTF-8''${encodeURIComponent('结算单-安心养老服务中心-2026年10月.xlsx')}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((res.body as Buffer).buffer.slice((res.body as Buffer).byteOffset, (res.body as Buffer).byteOffset + (res.body as Buffer).byteLength) as ArrayBuffer);
    const sheet = workbook.getWorksheet('结算单')!;
    expect(sheet.getCell('A1').value).to.equal(`2026年10月 ${statement.providerName} 居家养老服务结算单`);
    expect(String(sheet.getCell('A2').value)).to.contain('结算周期：2026-10').and.contain('状态：草稿');
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 3 });
    expect(STATEMENT_COLUMNS.map((_, i) => sheet.getRow(3).getCell(i + 1).value)).to.deep.equal([...STATEMENT_COLUMNS]);

    // Service lines by visit time, then the late-arrival penalty.
    const rows = [4, 5, 6].map((n) => sheet.getRow(n));
    expect(rows.map((row) => row.getCell(2).value)).to.deep.equal(['服务', '服务', '扣款']);
    for (const [i, line] of statement.lines.entries()) {
      const row = rows[i]!;
      // The order by its GD number, the senior by masked name, the community by name: no database ids.
      expect(line.orderNumber).to.match(/^GD202610\d{6}$/);
      expect([row.getCell(3).value, row.getCell(4).value, row.getCell(5).value]).to.deep.equal([line.orderNumber, '王*英', '北社区']);
      expect(row.getCell(AMOUNT_COLUMNS.gross).value).to.equal(yuan(line.priceFen));
      expect(row.getCell(AMOUNT_COLUMNS.subsidy).value).to.equal(yuan(line.subsidyFen));
      expect(row.getCell(AMOUNT_COLUMNS.selfPay).value).to.equal(yuan(line.selfPayFen));
      expect(row.getCell(AMOUNT_COLUMNS.gross).numFmt).to.equal('#,##0.00');
    }
    expect(rows[2]!.getCell(3).value).to.equal(statement.penalties[0]!.orderNumber);
    expect(statement.penalties[0]!.orderNumber).to.equal(statement.lines.find((line) => line.orderId === lateOrder)!.orderNumber);
    expect(rows[2]!.getCell(AMOUNT_COLUMNS.charge).value).to.equal(-yuan(statement.penalties[0]!.amountFen));
    const totals = sheet.getRow(7);
    expect(totals.getCell(2).value).to.equal('合计');
    expect(totals.getCell(AMOUNT_COLUMNS.gross).value).to.equal(yuan(statement.totals.grossFen));
    expect(totals.getCell(AMOUNT_COLUMNS.subsidy).value).to.equal(yuan(statement.totals.subsidyFen));
    expect(totals.getCell(AMOUNT_COLUMNS.selfPay).value).to.equal(yuan(statement.totals.selfPayFen));
    expect(totals.getCell(AMOUNT_COLUMNS.charge).value).to.equal(-yuan(statement.totals.penaltyFen));
    expect(sheet.getRow(8).getCell(AMOUNT_COLUMNS.subsidy).value).to.equal(yuan(statement.totals.payableFen));
    expect(String(sheet.getRow(9).getCell(2).value)).to.contain('市级').and.contain('60%');
    expect(sheet.getRow(9).getCell(AMOUNT_COLUMNS.subsidy).value).to.equal(yuan(statement.totals.cityFen));
    expect(sheet.getRow(10).getCell(AMOUNT_COLUMNS.subsidy).value).to.equal(yuan(statement.totals.districtFen));
  });

  it('exports a statement as CSV in UTF-8 with a BOM, amounts as yuan with two decimals', async () => {
    const res = await download(`/api/v1/settlements/statements/${statement.id}/export?format=csv`);

    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.contain('text/csv');
    expect(res.headers['content-disposition']).to.contain(`filename*=UTF-8''${encodeURIComponent('结算单-安心养老服务中心-2026年10月.csv')}`);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n').map((row) => row.split(','));
    expect(rows[0]).to.deep.equal([...STATEMENT_COLUMNS]);
    const text = (fen: number) => `${Math.floor(Math.abs(fen) / 100) * Math.sign(fen) || 0}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
    expect(rows[0]!.slice(2, 5)).to.deep.equal(['工单编号', '老人', '社区']);
    for (const [i, line] of statement.lines.entries()) {
      expect(rows[i + 1]!.slice(2, 5)).to.deep.equal([line.orderNumber, '王*英', '北社区']);
      expect(rows[i + 1]![AMOUNT_COLUMNS.gross - 1]).to.equal(text(line.priceFen));
      expect(rows[i + 1]![AMOUNT_COLUMNS.subsidy - 1]).to.equal(text(line.subsidyFen));
    }
    expect(rows[3]![1]).to.equal('扣款');
    expect(rows[3]![AMOUNT_COLUMNS.charge - 1]).to.equal(`-${text(statement.penalties[0]!.amountFen)}`);
    const totals = rows.find((row) => row[1] === '合计')!;
    expect(totals[AMOUNT_COLUMNS.gross - 1]).to.equal(text(statement.totals.grossFen));
    expect(rows.some((row) => row[1] === '其中区级财政承担（40%）' && row[AMOUNT_COLUMNS.subsidy - 1] === text(statement.totals.districtFen))).to.equal(true);
    // 1333 fen is "13.33", never "13.329999…".
    expect(text(1_333)).to.equal('13.33');
  });

  it('pages a statement\'s lines by cursor, each once, in order id order, with the draft\'s total counted', async () => {
    const page = (query: string) => request(app).get(`/api/v1/settlements/statements/${statement.id}/lines?pageSize=1${query}`).set('Authorization', w.finance.authorization);
    const seen: string[] = [];
    let res = await page('');
    const first = res.body;
    while (res.status === 200) {
      seen.push(...res.body.items.map((line: { orderId: string }) => line.orderId));
      if (!res.body.nextCursor) break;
      res = await page(`&cursor=${res.body.nextCursor}`);
    }
    const wrongProvider = await request(app).get(`/api/v1/settlements/statements/${statement.id}/lines`).set('Authorization', await tokenFor(config, 'provider_admin', { providerId: w.providerB.id }));

    expect(res.status).to.equal(200);
    expect(first).to.include({ total: statement.lines.length, totalIsEstimate: false, page: 1, pageSize: 1 });
    expect(seen).to.deep.equal(statement.lines.map((line) => line.orderId).sort());
    expect(seen.length).to.equal(2);
    expect(wrongProvider.status).to.equal(404);
  });

  it('summarises the period by provider, community, category, service type and funding source', async () => {
    const res = await request(app).get('/api/v1/settlements/summary?period=2026-10').set('Authorization', w.finance.authorization);

    expect(res.status).to.equal(200);
    const summary = res.body;
    expect(summary.statementCount).to.equal(2);
    expect(summary.byProvider.reduce((t: number, p: Totals) => t + p.payableFen, 0)).to.equal(summary.totals.payableFen);
    for (const breakdown of ['byCommunity', 'byCategory', 'byServiceType'] as const) {
      expect(summary[breakdown].reduce((t: number, row: Totals) => t + row.grossFen, 0), breakdown).to.equal(summary.totals.grossFen);
      expect(summary[breakdown].reduce((t: number, row: { lineCount: number }) => t + row.lineCount, 0), breakdown).to.equal(3);
    }
    expect(summary.byCategory.map((c: { category: string }) => c.category)).to.deep.equal(['three_nos', 'living_alone', 'empty_nest']);
    expect(summary.byCommunity.map((c: { communityName: string }) => c.communityName).sort()).to.deep.equal(['北社区', '南社区']);
    const funding = Object.fromEntries(summary.byFundingSource.map((f: { source: string; amountFen: number }) => [f.source, f.amountFen]));
    expect(funding.city + funding.district).to.equal(summary.totals.payableFen);
    expect(funding.self_pay).to.equal(summary.totals.selfPayFen);
  });

  it('exports the period summary as a workbook with one sheet per breakdown', async () => {
    const json = (await request(app).get('/api/v1/settlements/summary?period=2026-10').set('Authorization', w.finance.authorization)).body;
    const res = await download('/api/v1/settlements/summary?period=2026-10&format=xlsx');

    expect(res.status).to.equal(200);
    expect(res.headers['content-disposition']).to.equal(`attachment; filename="settlement-summary-2026-10.xlsx"; filename*=UTF-8''${encodeURIComponent('结算汇总-2026年10月.xlsx')}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((res.body as Buffer).buffer.slice((res.body as Buffer).byteOffset, (res.body as Buffer).byteOffset + (res.body as Buffer).byteLength) as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).to.deep.equal(['按服务商', '按社区', '按老人类别', '按服务项目', '按资金来源']);
    const providers = workbook.getWorksheet('按服务商')!;
    expect(providers.getRow(2).getCell(1).value).to.equal('服务商');
    const totalsRow = providers.getRow(2 + json.byProvider.length + 1);
    expect(totalsRow.getCell(1).value).to.equal('合计');
    expect(totalsRow.getCell(9).value).to.equal(yuan(json.totals.payableFen));
    const funding = workbook.getWorksheet('按资金来源')!;
    expect(funding.getRow(3).getCell(1).value).to.equal('市级财政');
    expect(funding.getRow(3).getCell(2).value).to.equal(yuan(json.byFundingSource[0].amountFen));
  });

  // Found by the Schemathesis fuzz: the document listed only XLSX for the export (with the
  // statement's JSON schema) and only JSON for the summary, while both also answer another type.
  it('answers every download with a content type the OpenAPI document lists for it', async () => {
    const document = (await request(app).get('/api/v1/openapi.json')).body;
    const documented = (path: string) => Object.keys(document.paths[path].get.responses['200'].content as object);
    const downloads: [string, string][] = [
      ['/api/v1/settlements/statements/{id}/export', `/api/v1/settlements/statements/${statement.id}/export?format=xlsx`],
      ['/api/v1/settlements/statements/{id}/export', `/api/v1/settlements/statements/${statement.id}/export?format=csv`],
      ['/api/v1/settlements/summary', '/api/v1/settlements/summary?period=2026-10&format=xlsx'],
      ['/api/v1/settlements/summary', '/api/v1/settlements/summary?period=2026-10'],
    ];
    for (const [path, url] of downloads) {
      const res = await download(url);
      expect(res.status, url).to.equal(200);
      expect(documented(path), url).to.include(String(res.headers['content-type']).split(';')[0]);
    }
    expect(document.paths['/api/v1/settlements/statements/{id}/export'].get.responses['200'].content['text/csv'].schema).to.deep.equal({ type: 'string', format: 'binary' });
  });
});
