import { expect } from 'chai';
import { readFile, truncate } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { readRegisterRows } from '../../../src/seniors/import/register-file.ts';
import { EN_HEADER, ZH_HEADER, fixturePath, readAll, useTempFiles } from './register-test-files.ts';

const ROW_OF_ZH_FIXTURE = {
  name: '潘文华', idNumber: '330102195110211819', phone: '17215275892', address: '杭州市上城区清泰街160号1幢101室',
  communityCode: '330102003001', categories: '空巢', careLevel: '3', livingArrangement: '其他',
  emergencyContactName: '吴军', emergencyContactPhone: '15211785025',
};

describe('register file reading: CSV', () => {
  const temp = useTempFiles();

  describe('the sample registers', () => {
    it('reads the Chinese UTF-8 register (BOM, CRLF): 200 rows numbered 2 to 201', async () => {
      const rows = await readAll(fixturePath('zh'));

      expect(rows).to.have.length(200);
      expect(rows.map((r) => r.row)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 2));
      expect(rows[0]?.fields).to.deep.equal(ROW_OF_ZH_FIXTURE);
      expect(rows[199]?.fields).to.include({ name: '沈丽华', livingArrangement: '与配偶同住', emergencyContactName: '何伟' });
    });

    it('reads the register with English column names (BOM, LF): 50 rows', async () => {
      const rows = await readAll(fixturePath('en'));

      expect(rows).to.have.length(50);
      expect(rows.map((r) => r.row)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 2));
      expect(rows[0]?.fields).to.deep.equal({
        name: '任秀英', idNumber: '33018319321214146X', phone: '16479380927', address: '杭州市上城区解放路296号4幢103室',
        communityCode: '330102002002', categories: 'three_nos;extreme_hardship', careLevel: '5', livingArrangement: 'with_spouse',
        emergencyContactName: '卢伟', emergencyContactPhone: '13083167162',
      });
    });

    it('reads the GBK register as Excel on Chinese Windows saves it, decoding the names: 60 rows', async () => {
      const rows = await readAll(fixturePath('gbk'));

      expect(rows).to.have.length(60);
      expect(rows.map((r) => r.row)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 2));
      expect(rows[0]?.fields).to.deep.equal({
        name: '田春梅', idNumber: '330183194407144710', phone: '16297839335', address: '杭州市上城区江城路200号1幢604室',
        communityCode: '330102002001', categories: '空巢', careLevel: '0', livingArrangement: '其他',
        emergencyContactName: '邓芳', emergencyContactPhone: '16742645358',
      });
      expect(rows[2]?.fields).to.include({ name: '陈秀英', livingArrangement: '与配偶同住', emergencyContactName: '钟静' });
      expect(rows[3]?.fields).to.include({ name: '杨春梅', categories: '三无、失能、空巢', livingArrangement: '独居' });
      expect(rows[59]?.fields).to.include({ name: '钟志强', categories: '三无、独居', address: '杭州市上城区中山南路39号10幢401室' });
    });
  });

  describe('encodings', () => {
    it('reads UTF-8 without a BOM and GBK to exactly the rows of the UTF-8 file with a BOM', async () => {
      const withBom = await readFile(fixturePath('zh'));
      const text = withBom.subarray(3).toString('utf8');
      const noBom = await temp.file('no-bom.csv', text);
      const gbk = await temp.file('gbk.csv', iconv.encode(text, 'gbk'));

      const expected = await readAll(fixturePath('zh'));

      expect(await readAll(noBom)).to.deep.equal(expected);
      expect(await readAll(gbk)).to.deep.equal(expected);
    });

    it('tells UTF-8 from GBK when a two- or three-byte character is cut by the 64 KiB sample', async () => {
      // 'a' * n puts the first byte of 老 (3 bytes in UTF-8, 2 in GBK) at 65535, the last byte of the sample.
      const header = `${EN_HEADER}\n`;
      const rest = ',1,2,3,4,5,6,7,8\n';
      const pad = 'a'.repeat(65_535 - Buffer.byteLength(header) - rest.length);
      const text = `${header}${pad}${rest}老人甲,id,phone,地址,code,空巢,1,独居,,\n`;
      const utf8 = await temp.file('cut-utf8.csv', text);
      const gbk = await temp.file('cut-gbk.csv', iconv.encode(text, 'gbk'));
      expect(Buffer.from(text).indexOf(Buffer.from('老'))).to.equal(65_535);

      for (const file of [utf8, gbk]) {
        const rows = await readAll(file);
        expect(rows.map((r) => r.fields.name)).to.deep.equal([pad, '老人甲']);
        expect(rows[1]?.fields).to.include({ address: '地址', categories: '空巢', livingArrangement: '独居' });
      }
    });
  });

  describe('layout', () => {
    it('accepts the columns in any order, headings with spaces or any case, and ignores unknown columns', async () => {
      const file = await temp.file('order.csv', ' 备注 ,LIVINGARRANGEMENT,照护等级,类别,社区编码,住  址,联系电话,身份证号,Name\r\n'
        + '无,other,2,空巢,330102001001,某地,13800138000,330102195110211819,王秀英\r\n');

      const rows = await readAll(file);

      expect(rows).to.deep.equal([{
        row: 2,
        fields: {
          name: '王秀英', idNumber: '330102195110211819', phone: '13800138000', address: '某地', communityCode: '330102001001',
          categories: '空巢', careLevel: '2', livingArrangement: 'other', emergencyContactName: '', emergencyContactPhone: '',
        },
      }]);
    });

    it('keeps quoted commas, quotes and line breaks, trims cells and fills short rows with empty strings', async () => {
      const file = await temp.file('quoted.csv', `${ZH_HEADER}\n`
        + '" 王秀英 ",1,2,"合肥市蜀山区""安居苑""3栋,\n2单元",c,"空巢,独居",1,独居\n'
        + '李建国,1,2,地址,c,低保\n');

      const rows = await readAll(file);

      expect(rows[0]).to.deep.include({ row: 2 });
      expect(rows[0]?.fields).to.include({ name: '王秀英', address: '合肥市蜀山区"安居苑"3栋,\n2单元', categories: '空巢,独居', emergencyContactPhone: '' });
      expect(rows[1]?.row).to.equal(3);
      expect(rows[1]?.fields).to.include({ name: '李建国', categories: '低保', careLevel: '', livingArrangement: '' });
    });

    it('skips fully empty rows and trailing empty lines but still counts them in the row numbers', async () => {
      const file = await temp.file('gaps.csv', `\r\n${ZH_HEADER}\r\n,,,,,,,,,\r\n王秀英,1,2,3,4,5,6,7\r\n\r\n  ,\r\n李建国,1,2,3,4,5,6,7\r\n\r\n\r\n`);

      const rows = await readAll(file);

      expect(rows.map((r) => [r.row, r.fields.name])).to.deep.equal([[4, '王秀英'], [7, '李建国']]);
    });

    it('yields nothing for a header without data rows', async () => {
      expect(await readAll(await temp.file('header-only.csv', `\uFEFF${ZH_HEADER}\r\n\r\n`))).to.deep.equal([]);
      expect(await readAll(await temp.file('header-only-en.csv', EN_HEADER))).to.deep.equal([]);
    });
  });

  describe('a long register', () => {
    const ROWS = 10_000;
    const longRegister = (): string => {
      const lines = [ZH_HEADER];
      for (let i = 0; i < ROWS; i += 1) lines.push(`老人${i},3301021951102118${String(i % 100).padStart(2, '0')},13800138000,合肥市蜀山区长江西路${i}号,340104001001,空巢、独居,${i % 6},独居,王芳,13900139000`);
      return `${lines.join('\r\n')}\r\n`;
    };

    it('reads 10,000 rows one by one, in order', async () => {
      const file = await temp.file('long.csv', longRegister());

      let count = 0;
      let isInOrder = true;
      for await (const { row, fields } of readRegisterRows({ path: file, originalName: 'long.csv' })) {
        isInOrder &&= row === count + 2 && fields.name === `老人${count}`;
        count += 1;
      }

      expect(count).to.equal(ROWS);
      expect(isInOrder).to.equal(true);
    });

    it('streams from disk: rows cut off the file after reading has begun are never seen', async () => {
      const file = await temp.file('long-cut.csv', longRegister());
      const rows = readRegisterRows({ path: file, originalName: 'long-cut.csv' });

      const first = await rows.next();
      // A reader that had loaded the whole file would still produce all 10,000 rows.
      await truncate(file, 300_000);
      let count = first.done ? 0 : 1;
      for await (const _row of rows) count += 1;

      expect(count).to.be.greaterThan(1000).and.lessThan(ROWS / 2);
    });

    it('stops reading when the caller stops early', async () => {
      const file = await temp.file('long-early.csv', longRegister());

      const taken: number[] = [];
      for await (const { row } of readRegisterRows({ path: file, originalName: 'long-early.csv' })) {
        taken.push(row);
        if (taken.length === 3) break;
      }

      expect(taken).to.deep.equal([2, 3, 4]);
    });
  });
});
