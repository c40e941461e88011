import { expect } from 'chai';
import { EN_HEADER, ZH_HEADER, expectFileError, useTempFiles, zipOf, type ZipEntry } from './register-test-files.ts';

const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201f0f0b4b50000000049454e44ae426082', 'hex');

describe('register file reading: files that are not a register', () => {
  const temp = useTempFiles();

  it('rejects an empty file', async () => {
    const error = await expectFileError(await temp.file('empty.csv', ''), /empty/, '台账.csv');

    expect(error.messageOverride?.zh).to.include('台账.csv').and.include('空');
  });

  it('rejects a file of blank lines, spaces or empty cells as empty', async () => {
    await expectFileError(await temp.file('blank.csv', '\r\n\r\n   \r\n'), /empty/);
    await expectFileError(await temp.file('bom-only.csv', '\uFEFF'), /empty/);
    await expectFileError(await temp.file('commas.csv', ',,,\n,,\n'), /empty/);
  });

  it('rejects a file whose first row is data, not the header', async () => {
    const error = await expectFileError(
      await temp.file('no-header.csv', '王秀英,330102195110211819,13800138000,某地,330102001001,空巢,1,独居\n'),
      /first row must be the header/,
    );

    expect(error.messageOverride?.zh).to.include('表头');
  });

  it('rejects a header missing required columns, naming each of them in both languages', async () => {
    const error = await expectFileError(
      await temp.file('missing.csv', '姓名,联系电话,住址,社区编码,类别,居住情况,紧急联系人\n王秀英,1,2,3,4,5,6\n'),
      /Missing required columns: idNumber \(身份证号\), careLevel \(照护等级\)$/,
    );

    expect(error.messageOverride?.zh).to.equal('缺少必需的列：身份证号、照护等级');
    expect(error.details[0]?.message).to.include('idNumber').and.include('careLevel');
  });

  it('treats the two emergency contact columns as optional', async () => {
    const header = ZH_HEADER.split(',').slice(0, 8).join(',');
    await expectFileError(await temp.file('one-missing.csv', `${header.replace('类别,', '')}\n`), /Missing required columns: categories \(类别\)$/);
  });

  it('rejects a column given twice, in Chinese and in English', async () => {
    await expectFileError(await temp.file('twice.csv', `${EN_HEADER},姓名\n`), /column name \(姓名\) appears twice/);
  });

  it('rejects a PNG image, a PDF and other binary files as neither CSV nor XLSX', async () => {
    await expectFileError(await temp.file('photo.png', PNG_BYTES), /neither a CSV text file nor an Excel workbook/);
    await expectFileError(await temp.file('register.csv', PNG_BYTES), /neither a CSV text file nor an Excel workbook/);
    await expectFileError(await temp.file('scan.pdf', '%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), /neither a CSV/);
    await expectFileError(await temp.file('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${ZH_HEADER}\r\n`, 'utf16le')])), /neither a CSV/);
    await expectFileError(await temp.file('random.bin', Buffer.from([0x81, 0x30, 0xff, 0xfe, 0x80, 0x20, 0xfe, 0xff, 0x41])), /neither a CSV/);
  });

  it('rejects an old binary .xls workbook, asking for .xlsx or CSV', async () => {
    const ole2 = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);

    const error = await expectFileError(await temp.file('register.xls', ole2), /old Excel \(\.xls\) workbook/);

    expect(error.messageOverride?.zh).to.include('.xlsx');
  });

  it('rejects an HTML table saved with an .xls name', async () => {
    await expectFileError(await temp.file('export.xls', '\r\n<html><body><table><tr><td>姓名</td></tr></table></body></html>'), /HTML\/XML document/);
  });

  it('rejects a zip archive that is not a workbook, and an empty zip', async () => {
    await expectFileError(await temp.file('archive.zip', zipOf({ 'readme.txt': '你好', 'data/register.csv': `${ZH_HEADER}\n` })), /zip archive but not a readable Excel workbook/);
    await expectFileError(await temp.file('docs.xlsx', zipOf({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' })), /not a readable Excel workbook/);
    await expectFileError(await temp.file('empty.zip', zipOf({})), /not a readable Excel workbook/);
  });

  describe('a workbook that inflates past the limits (a zip bomb)', () => {
    // The parts a workbook needs to reach its shared strings and first sheet.
    const workbook = (sharedStrings: ZipEntry) => zipOf({
      '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
      'xl/workbook.xml': '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>',
      'xl/sharedStrings.xml': sharedStrings,
      'xl/worksheets/sheet1.xml': '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
    });
    const strings = (text: string) => `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${text}</t></si></sst>`;

    it('refuses one whose directory declares 1 GiB of shared strings before inflating anything', async () => {
      const bomb = workbook({ content: strings('姓名'), deflate: true, declaredSize: 1024 * 1024 * 1024 });

      await expectFileError(await temp.file('bomb.xlsx', bomb), /inflates beyond the limit/);
    });

    it('refuses one whose shared strings really inflate past 32 MiB though the directory says 1 KB', async () => {
      // 40 MiB of one repeated character deflate to about 40 KB.
      const bomb = workbook({ content: strings('王'.repeat(14 * 1024 * 1024)), deflate: true, declaredSize: 1024 });

      await expectFileError(await temp.file('liar.xlsx', bomb), /inflates beyond the limit/);
    });
  });

  it('rejects a CSV with an unclosed quote, naming the row where it opens', async () => {
    await expectFileError(await temp.file('quote.csv', `${ZH_HEADER}\n王秀英,1,2,"某地,4,5,6,7\n李建国,1,2,3,4,5,6,7\n`), /malformed from row 2 on \(CSV_QUOTE_NOT_CLOSED\)/);
  });

  it('stops at a row longer than 64 KiB characters instead of holding the rest of the file in one field', async () => {
    const rest = '李建国,1,2,3,4,5,6,7\n'.repeat(20_000);
    const file = await temp.file('runaway.csv', `${ZH_HEADER}\n王秀英,1,2,"某地,4,5,6,7\n${rest}`);

    await expectFileError(file, /malformed from row 2 on \(CSV_MAX_RECORD_SIZE\)/);
  });
});
