import { expect } from 'chai';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { readRegisterRows } from '../../../src/seniors/import/register-file.ts';
import { EN_HEADER, ZH_HEADER, expectFileError, fixturePath, readAll, useTempFiles } from './register-test-files.ts';

/** The Chinese sample register's rows, with the columns people type as numbers written as numbers. */
async function zhFixtureWorkbook(): Promise<ExcelJS.Workbook> {
  const records = parse(await readFile(fixturePath('zh')), { bom: true }) as string[][];
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('台账');
  const [header, ...rows] = records;
  sheet.addRow(header);
  for (const row of rows) {
    const [name, idNumber, phone, address, communityCode, categories, careLevel, ...rest] = row;
    sheet.addRow([name, idNumber, Number(phone), address, Number(communityCode), categories, Number(careLevel), ...rest]);
  }
  workbook.addWorksheet('说明').addRow(['本表为演示数据']);
  return workbook;
}

describe('register file reading: XLSX', function () {
  this.timeout(60_000);
  const temp = useTempFiles();

  it('reads a workbook with the rows of the Chinese sample register exactly as the CSV, numbers included', async () => {
    const file = path.join(temp.dir(), 'register.xlsx');
    await (await zhFixtureWorkbook()).xlsx.writeFile(file);

    const rows = await readAll(file);

    expect(rows).to.have.length(200);
    expect(rows).to.deep.equal(await readAll(fixturePath('zh')));
    expect(rows[0]?.fields).to.include({ phone: '17215275892', communityCode: '330102003001', careLevel: '3' });
  });

  it('recognises a workbook by its content whatever the file is called', async () => {
    const file = path.join(temp.dir(), 'upload-without-extension');
    await (await zhFixtureWorkbook()).xlsx.writeFile(file);

    expect(await readAll(file, '台账.csv')).to.have.length(200);
  });

  it('turns numbers, rich text, hyperlinks, formulas and dates into the plain text shown, without exponents', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(EN_HEADER.split(','));
    sheet.addRow([
      { richText: [{ text: '王' }, { text: '秀英', font: { bold: true } }] },
      // An ID number typed as a number has already lost its last digits: a double holds about 16.
      Number('330102195110211819'),
      { text: '13800138000', hyperlink: 'tel:13800138000' },
      { formula: '"合肥市"&"蜀山区"', result: '合肥市蜀山区' },
      330102001001,
      '空巢',
      { formula: '1+2', result: 3 },
      '独居',
      '  李四  ',
      13900139000,
    ]);
    sheet.addRow(['张三', '', '', '', 0.000001, true, 2.5, '', '', '']);
    const file = path.join(temp.dir(), 'cells.xlsx');
    await workbook.xlsx.writeFile(file);

    const rows = await readAll(file);

    expect(rows[0]).to.deep.equal({
      row: 2,
      fields: {
        name: '王秀英',
        // The digits the number still has are printed whole, never as 3.30102195110212e+17.
        idNumber: '330102195110211840',
        phone: '13800138000', address: '合肥市蜀山区', communityCode: '330102001001', categories: '空巢', careLevel: '3',
        livingArrangement: '独居', emergencyContactName: '李四', emergencyContactPhone: '13900139000',
      },
    });
    expect(rows[1]?.fields).to.include({ name: '张三', communityCode: '0.000001', categories: 'TRUE', careLevel: '2.5', idNumber: '' });
  });

  it('numbers rows as the sheet does, skipping rows never typed in and rows of empty cells', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.getRow(2).values = ZH_HEADER.split(',');
    sheet.getRow(4).values = ['王秀英', '1', '2', '3', '4', '5', '6', '7'];
    sheet.getRow(5).values = ['', ' ', ''];
    sheet.getRow(7).values = ['李建国', '1', '2', '3', '4', '5', '6', '7'];
    const file = path.join(temp.dir(), 'gaps.xlsx');
    await workbook.xlsx.writeFile(file);

    const rows = await readAll(file);

    expect(rows.map((r) => [r.row, r.fields.name])).to.deep.equal([[4, '王秀英'], [7, '李建国']]);
  });

  it('yields nothing for a header without data rows, and rejects an empty worksheet or missing columns', async () => {
    const headerOnly = new ExcelJS.Workbook();
    headerOnly.addWorksheet('Sheet1').addRow(EN_HEADER.split(','));
    const empty = new ExcelJS.Workbook();
    empty.addWorksheet('Sheet1');
    const missing = new ExcelJS.Workbook();
    missing.addWorksheet('Sheet1').addRow(['姓名', '身份证号']);
    const files = ['header-only', 'empty', 'missing'].map((name) => path.join(temp.dir(), `${name}.xlsx`));
    await headerOnly.xlsx.writeFile(files[0] as string);
    await empty.xlsx.writeFile(files[1] as string);
    await missing.xlsx.writeFile(files[2] as string);

    expect(await readAll(files[0] as string)).to.deep.equal([]);
    await expectFileError(files[1] as string, /empty/);
    await expectFileError(files[2] as string, /Missing required columns: phone \(联系电话\), address/);
  });

  it('rejects a cut-off workbook', async () => {
    const file = path.join(temp.dir(), 'cut-off.xlsx');
    await (await zhFixtureWorkbook()).xlsx.writeFile(file);
    await truncate(file, 2000);

    await expectFileError(file, /could not be read|not a readable Excel workbook/);
  });

  it('rejects a workbook whose compressed worksheet is damaged, instead of waiting forever', async () => {
    const file = path.join(temp.dir(), 'damaged.xlsx');
    await (await zhFixtureWorkbook()).xlsx.writeFile(file);
    const bytes = await readFile(file);
    // Excel and exceljs store the worksheet before the shared strings, the order exceljs parks in a temp file.
    const sheetData = bytes.indexOf('xl/worksheets/sheet1.xml') + 200;
    expect(sheetData).to.be.lessThan(bytes.indexOf('xl/sharedStrings.xml'));
    bytes.fill(0x41, sheetData, sheetData + 100);
    await writeFile(file, bytes);

    await expectFileError(file, /The Excel workbook "damaged.xlsx" could not be read; the file may be damaged/);
  });

  for (const useSharedStrings of [true, false]) {
    it(`streams a 10,000-row workbook ${useSharedStrings ? 'of shared strings' : 'of inline strings'} with every character intact`, async () => {
      // Long enough that many characters straddle the zip reader's chunks (exceljs issues #2063, #2084).
      const file = path.join(temp.dir(), `long-${useSharedStrings}.xlsx`);
      const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings });
      const sheet = writer.addWorksheet('台账');
      sheet.addRow(ZH_HEADER.split(',')).commit();
      for (let i = 0; i < 10_000; i += 1) sheet.addRow([`老人${i}`, '330102195110211819', 13800138000, '合肥市蜀山区长江西路', 340104001001, '空巢', i % 6, '独居']).commit();
      sheet.commit();
      await writer.commit();

      let count = 0;
      let isIntact = true;
      for await (const { row, fields } of readRegisterRows({ path: file, originalName: 'long.xlsx' })) {
        isIntact &&= row === count + 2 && fields.name === `老人${count}` && fields.address === '合肥市蜀山区长江西路' && fields.communityCode === '340104001001';
        count += 1;
      }

      expect(count).to.equal(10_000);
      expect(isIntact).to.equal(true);
    });
  }

  it('stops reading a workbook when the caller stops early', async () => {
    const file = path.join(temp.dir(), 'early.xlsx');
    await (await zhFixtureWorkbook()).xlsx.writeFile(file);

    const taken: string[] = [];
    for await (const { fields } of readRegisterRows({ path: file, originalName: 'early.xlsx' })) {
      taken.push(fields.name);
      if (taken.length === 2) break;
    }

    expect(taken).to.deep.equal(['潘文华', '刘秀珍']);
  });
});
