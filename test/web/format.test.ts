import { expect } from 'chai';
import { chineseDate, chineseDateTime, chineseMonth, countdown, fenOf, monthsBefore, orderLabel, shanghaiDayRange, shanghaiInstant, yuan } from '../../web/src/format.ts';
import { checkIdNumber, phoneProblem } from '../../web/src/id-check.ts';
import { idNumberBornOn } from '../seniors/senior.fixtures.ts';

// The console's pure helpers: what every page shows for money and time, and the live ID check.

describe('console formats', () => {
  it('writes integer fen as yuan with thousands separators and two decimals', () => {
    expect(yuan(123_450)).to.equal('¥1,234.50');
    expect(yuan(5)).to.equal('¥0.05');
    expect(yuan(-3_200)).to.equal('-¥32.00');
    expect(yuan(100_000_000)).to.equal('¥1,000,000.00');
    expect(yuan(null)).to.equal('—');
  });

  it('names an order by its number, or one from before numbers by the last 8 characters of its id', () => {
    expect(orderLabel('65a1b2c3d4e5f60718293a4b', 'GD202612030001')).to.equal('GD202612030001');
    expect(orderLabel('65a1b2c3d4e5f60718293a4b', null)).to.equal('18293a4b');
  });

  it('reads typed yuan back into fen without floating point', () => {
    expect(fenOf('45')).to.equal(4_500);
    expect(fenOf('¥1,234.5')).to.equal(123_450);
    expect(fenOf('0.07')).to.equal(7);
    expect(fenOf('-12.30')).to.equal(-1_230);
    expect(fenOf('12.345')).to.equal(null);
    expect(fenOf('abc')).to.equal(null);
  });

  it('shows days and instants in Asia/Shanghai, in Chinese', () => {
    expect(chineseDate('2026-11-21')).to.equal('2026年11月21日');
    expect(chineseDate('2026-03-09')).to.equal('2026年3月9日');
    // 16:30 UTC is already the next day in Shanghai.
    expect(chineseDate('2026-11-21T16:30:00.000Z')).to.equal('2026年11月22日');
    expect(chineseDateTime('2026-11-21T06:05:00.000Z')).to.equal('2026年11月21日 14:05');
    expect(chineseMonth('2026-01')).to.equal('2026年1月');
    expect(chineseDate(null)).to.equal('—');
  });

  it('turns a Shanghai wall-clock time into the instant the API expects', () => {
    expect(shanghaiInstant('2026-11-21', '08:30')).to.equal('2026-11-21T00:30:00.000Z');
    expect(shanghaiDayRange('2026-11-21')).to.deep.equal({ from: '2026-11-20T16:00:00.000Z', to: '2026-11-21T15:59:59.999Z' });
    expect(monthsBefore('2026-01', 1)).to.equal('2025-12');
    expect(monthsBefore('2026-12', -1)).to.equal('2027-01');
    expect(countdown(605.9)).to.equal('10:05');
    expect(countdown(-3)).to.equal('00:00');
  });
});

describe('console live ID check (the service\'s own rules)', () => {
  it('derives gender, birth date and age from a valid number', () => {
    const check = checkIdNumber(idNumberBornOn('1948-03-09', 'male'), '2026-11-21');

    expect(check).to.deep.equal({ ok: true, birthDate: '1948-03-09', gender: 'male', age: 78 });
  });

  it('names the problem in Chinese: check character, old format, under 60', () => {
    const valid = idNumberBornOn('1950-01-01');
    const wrong = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');

    expect(checkIdNumber(wrong)).to.deep.equal({ ok: false, message: '身份证号校验位不正确' });
    expect(checkIdNumber('340104500101001')).to.deep.include({ ok: false, message: '不支持15位旧身份证号，请使用18位身份证号' });
    expect(checkIdNumber(idNumberBornOn('1970-06-01'), '2026-11-21')).to.deep.equal({ ok: false, message: '未满60周岁，不符合登记条件' });
  });

  it('checks phones with the service\'s pattern', () => {
    expect(phoneProblem('13812345678')).to.equal(null);
    expect(phoneProblem('0551-65123401')).to.equal(null);
    expect(phoneProblem('12345')).to.contain('电话号码格式不正确');
  });
});
