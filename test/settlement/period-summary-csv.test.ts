import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { StatementModel } from '../../src/settlement/settlement.model.ts';
import { yuanText } from '../../src/shared/money.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { octoberOfThreeVisits, settlementWorld, type SettlementWorld } from './settlement.fixtures.ts';

type Delivered = { lineCount: number; quantity: number; grossFen: number; subsidyFen: number; selfPayFen: number };
const TOTAL_KEYS = ['grossFen', 'subsidyFen', 'selfPayFen', 'penaltyFen', 'adjustmentFen', 'payableFen', 'cityFen', 'districtFen'] as const;

const binary = (res: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** The CSV's blocks: the title line, then each section as {name, header, rows} (blank lines between). */
function sectionsOf(records: string[][]) {
  const blocks: string[][][] = [[]];
  for (const record of records) {
    if (record.every((cell) => cell === '')) blocks.push([]);
    else blocks[blocks.length - 1]!.push(record);
  }
  const [titleBlock, ...rest] = blocks;
  return { title: titleBlock![0]!, sections: rest.map(([nameRow, header, ...rows]) => ({ name: nameRow![0]!, header: header!, rows })) };
}

describe('GET /settlements/summary?format=csv', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let w: SettlementWorld;

  before(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    await octoberOfThreeVisits(w);
    const run = await request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2026-10' });
    expect(run.status, JSON.stringify(run.body)).to.equal(200);
    // A provider name a spreadsheet would run as a formula.
    await StatementModel.updateOne({ period: '2026-10', providerId: w.providerB.id }, { $set: { providerName: '=HYPERLINK("http://x","点此")' } });
  });

  it('answers one CSV (UTF-8 with a BOM) whose sections and totals are the JSON summary\'s, amounts in yuan', async () => {
    const json = (await request(app).get('/api/v1/settlements/summary?period=2026-10').set('Authorization', w.finance.authorization)).body;
    const res = await request(app).get('/api/v1/settlements/summary?period=2026-10&format=csv').set('Authorization', w.finance.authorization).buffer(true).parse(binary as never);

    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).to.equal(`attachment; filename="settlement-summary-2026-10.csv"; filename*=UTF-8''${encodeURIComponent('结算汇总-2026年10月.csv')}`);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const records = parse(body, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    const { title, sections } = sectionsOf(records);

    expect(title[0]).to.match(/^2026年10月 居家养老服务结算汇总/);
    expect(sections.map((s) => s.name)).to.deep.equal(['按服务商', '按社区', '按老人类别', '按服务项目', '按资金来源']);

    const [providers, communities, categories, services, funding] = sections;
    expect(providers!.header).to.deep.equal(['服务商', '状态', '服务笔数', '服务金额（元）', '补贴金额（元）', '自付金额（元）', '扣款（元）', '调整（元）', '应付金额（元）', '市级承担（元）', '区级承担（元）']);
    expect(providers!.rows).to.have.length(json.byProvider.length + 1);
    const providerTotals = providers!.rows.at(-1)!;
    expect(providerTotals.slice(0, 3)).to.deep.equal(['合计', '', String(json.totals.lineCount)]);
    expect(providerTotals.slice(3)).to.deep.equal(TOTAL_KEYS.map((key) => yuanText(json.totals[key])));
    json.byProvider.forEach((p: Record<string, number | string>, i: number) => {
      expect(providers!.rows[i]!.slice(3), String(p.providerName)).to.deep.equal(TOTAL_KEYS.map((key) => yuanText(p[key] as number)));
    });

    const delivered: [typeof communities, Delivered[]][] = [[communities, json.byCommunity], [categories, json.byCategory], [services, json.byServiceType]];
    for (const [section, rows] of delivered) {
      expect(section!.header.slice(1), section!.name).to.deep.equal(['服务笔数', '服务数量', '服务金额（元）', '补贴金额（元）', '自付金额（元）']);
      expect(section!.rows, section!.name).to.have.length(rows.length + 1);
      const sum = (key: keyof Delivered) => rows.reduce((total, row) => total + row[key], 0);
      expect(section!.rows.at(-1), section!.name).to.deep.equal(['合计', String(sum('lineCount')), String(sum('quantity')), yuanText(sum('grossFen')), yuanText(sum('subsidyFen')), yuanText(sum('selfPayFen'))]);
      expect(section!.rows.at(-1)![3], section!.name).to.equal(yuanText(json.totals.grossFen));
    }
    expect(communities!.rows.slice(0, -1).map((row) => row[0]).sort()).to.deep.equal(['北社区', '南社区']);
    expect(categories!.rows.slice(0, -1).map((row) => row[0])).to.deep.equal(['三无老人', '独居', '空巢']);
    expect(funding!.rows).to.deep.equal(json.byFundingSource.map((f: { amountFen: number }, i: number) => [['市级财政', '区级财政', '老人自付'][i], yuanText(f.amountFen)]));
  });

  it('neutralises a cell that a spreadsheet would run as a formula', async () => {
    const res = await request(app).get('/api/v1/settlements/summary?period=2026-10&format=csv').set('Authorization', w.finance.authorization).buffer(true).parse(binary as never);

    const records = parse(res.body as Buffer, { bom: true, relax_column_count: true }) as string[][];
    const names = records.map((record) => record[0]);
    expect(names).to.include('\'=HYPERLINK("http://x","点此")');
    expect(names.filter((name) => name?.startsWith('='))).to.deep.equal([]);
  });

  it('is listed with its content type in the OpenAPI document', async () => {
    const document = (await request(app).get('/api/v1/openapi.json')).body;
    expect(Object.keys(document.paths['/api/v1/settlements/summary'].get.responses['200'].content)).to.include('text/csv');
    expect(document.paths['/api/v1/settlements/summary'].get.parameters.find((p: { name: string }) => p.name === 'format').schema.enum).to.deep.equal(['json', 'xlsx', 'csv']);
  });
});
