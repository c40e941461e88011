import { expect } from 'chai';
import { parseRegisterFields, type RegisterFields } from '../../../src/seniors/import/register-file.ts';

const fieldsWith = (overrides: Partial<RegisterFields> = {}): RegisterFields => ({
  name: '王秀英', idNumber: '340104195203151228', phone: '13856012345', address: '合肥市蜀山区长江西路500号3栋402室',
  communityCode: '340104001001', categories: '空巢', careLevel: '2', livingArrangement: '与配偶同住',
  emergencyContactName: '李强', emergencyContactPhone: '13905510000',
  ...overrides,
});

function parsedValue(overrides: Partial<RegisterFields>) {
  const result = parseRegisterFields(fieldsWith(overrides));
  if (!result.ok) expect.fail(`expected ${JSON.stringify(overrides)} to parse: ${JSON.stringify(result.errors)}`);
  return result.value;
}

function errorsOf(overrides: Partial<RegisterFields>) {
  const result = parseRegisterFields(fieldsWith(overrides));
  if (result.ok) return expect.fail(`expected ${JSON.stringify(overrides)} to be refused`);
  return result.errors;
}

describe('parseRegisterFields', () => {
  it('maps a register row to the enrolment shape', () => {
    expect(parsedValue({})).to.deep.equal({
      name: '王秀英', idNumber: '340104195203151228', phone: '13856012345', address: '合肥市蜀山区长江西路500号3栋402室',
      communityCode: '340104001001', categories: ['empty_nest'], careLevel: 2, livingArrangement: 'with_spouse',
      emergencyContacts: [{ name: '李强', relation: '紧急联系人', phone: '13905510000' }],
    });
  });

  it('passes names, ID numbers, phones, addresses and community codes through unchecked: enrolment validates them', () => {
    const value = parsedValue({ name: '', idNumber: '12345', phone: 'call me', address: '', communityCode: '330102009009' });

    expect(value).to.include({ name: '', idNumber: '12345', phone: 'call me', address: '', communityCode: '330102009009' });
  });

  describe('categories', () => {
    it('maps each Chinese name and each code', () => {
      const pairs = { 空巢: 'empty_nest', 三无: 'three_nos', 特困: 'extreme_hardship', 低保: 'low_income', 独居: 'living_alone', 失能: 'disabled' };
      for (const [name, code] of Object.entries(pairs)) {
        expect(parsedValue({ categories: name }).categories, name).to.deep.equal([code]);
        expect(parsedValue({ categories: code }).categories, code).to.deep.equal([code]);
      }
      expect(parsedValue({ categories: 'Empty_Nest' }).categories).to.deep.equal(['empty_nest']);
    });

    it('splits on 、 ; ； , ， and spaces, ignoring empty pieces, and keeps the order given', () => {
      for (const separator of ['、', ';', '；', ',', '，', ' ', ' 、 ']) {
        expect(parsedValue({ categories: `失能${separator}空巢` }).categories, separator).to.deep.equal(['disabled', 'empty_nest']);
      }
      expect(parsedValue({ categories: '、特困、、low_income;' }).categories).to.deep.equal(['extreme_hardship', 'low_income']);
    });

    it('removes repeats, also between a name and its code', () => {
      expect(parsedValue({ categories: '空巢、empty_nest、空巢、独居' }).categories).to.deep.equal(['empty_nest', 'living_alone']);
    });

    it('refuses an empty list', () => {
      for (const categories of ['', '、', ' ; ']) {
        const errors = errorsOf({ categories });
        expect(errors).to.have.length(1);
        expect(errors[0]?.path).to.equal('categories');
        expect(errors[0]?.message.en).to.match(/at least one category/);
      }
    });

    it('refuses an unknown category, naming each one', () => {
      const errors = errorsOf({ categories: '空巢、富裕、vip' });

      expect(errors.map((e) => e.path)).to.deep.equal(['categories', 'categories']);
      expect(errors[0]?.message.zh).to.include('富裕');
      expect(errors[0]?.message.en).to.include('Unknown category "富裕"');
      expect(errors[1]?.message.en).to.include('"vip"');
    });

    it('refuses 高龄 and advanced_age: derived from the age, not entered', () => {
      for (const categories of ['高龄', '空巢、高龄', 'advanced_age']) {
        const errors = errorsOf({ categories });
        expect(errors, categories).to.have.length(1);
        expect(errors[0]?.path).to.equal('categories');
        expect(errors[0]?.message.en).to.include('derived from the age');
        expect(errors[0]?.message.zh).to.include('自动认定');
      }
    });
  });

  describe('care level', () => {
    it('accepts the whole numbers 0 to 5, also full-width or followed by 级', () => {
      for (const level of [0, 1, 2, 3, 4, 5]) expect(parsedValue({ careLevel: String(level) }).careLevel).to.equal(level);
      expect(parsedValue({ careLevel: ' ３ ' }).careLevel).to.equal(3);
      expect(parsedValue({ careLevel: '4级' }).careLevel).to.equal(4);
      expect(parsedValue({ careLevel: '2.0' }).careLevel).to.equal(2);
    });

    it('refuses anything else on careLevel', () => {
      for (const careLevel of ['', '6', '-1', '2.5', '三', 'high', '1e0']) {
        const errors = errorsOf({ careLevel });
        expect(errors, careLevel).to.have.length(1);
        expect(errors[0]?.path).to.equal('careLevel');
        expect(errors[0]?.message.en).to.match(careLevel === '' ? /Enter the care level/ : /not a whole number from 0 to 5/);
      }
    });
  });

  describe('living arrangement', () => {
    it('maps the four Chinese names and the four codes', () => {
      const pairs = { 独居: 'alone', 与配偶同住: 'with_spouse', 与子女同住: 'with_family', 其他: 'other' };
      for (const [name, code] of Object.entries(pairs)) {
        expect(parsedValue({ livingArrangement: name }).livingArrangement, name).to.equal(code);
        expect(parsedValue({ livingArrangement: code }).livingArrangement, code).to.equal(code);
      }
      expect(parsedValue({ livingArrangement: 'With_Family' }).livingArrangement).to.equal('with_family');
    });

    it('refuses anything else on livingArrangement', () => {
      for (const livingArrangement of ['', '与儿子同住', 'together']) {
        const errors = errorsOf({ livingArrangement });
        expect(errors, livingArrangement).to.have.length(1);
        expect(errors[0]?.path).to.equal('livingArrangement');
        expect(errors[0]?.message.zh).to.include('居住情况');
      }
    });
  });

  describe('emergency contact', () => {
    it('records a named contact with a phone as one contact, relation 紧急联系人', () => {
      expect(parsedValue({}).emergencyContacts).to.deep.equal([{ name: '李强', relation: '紧急联系人', phone: '13905510000' }]);
    });

    it('passes half a contact on, so enrolment names the missing part', () => {
      expect(parsedValue({ emergencyContactPhone: '' }).emergencyContacts).to.deep.equal([{ name: '李强', relation: '紧急联系人', phone: '' }]);
      expect(parsedValue({ emergencyContactName: '' }).emergencyContacts).to.deep.equal([{ name: '', relation: '紧急联系人', phone: '13905510000' }]);
    });

    it('records no contact when both are empty', () => {
      expect(parsedValue({ emergencyContactName: '', emergencyContactPhone: ' ' }).emergencyContacts).to.deep.equal([]);
    });
  });

  it('reports every mapping error of a row at once', () => {
    const errors = errorsOf({ categories: '高龄、富裕', careLevel: '9', livingArrangement: '养老院' });

    expect(errors.map((e) => e.path)).to.deep.equal(['categories', 'categories', 'careLevel', 'livingArrangement']);
  });
});
