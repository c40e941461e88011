import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';

/**
 * Found by the Schemathesis fuzz (test/fuzz): a multipart body busboy cannot parse reached the
 * error handler as a plain Error and was answered 500. It is the client's fault: 400 on `file`.
 */
describe('register import: malformed multipart bodies', function () {
  useTestDatabase();
  const { app, config } = createTestApp();
  const boundary = 'fuzzBoundary42';
  const form = `multipart/form-data; boundary=${boundary}`;
  const cases: { name: string; contentType: string; body: string }[] = [
    { name: 'no boundary in the Content-Type', contentType: 'multipart/form-data', body: '' },
    { name: 'an empty body', contentType: form, body: '' },
    { name: 'a part without Content-Disposition', contentType: form, body: `--${boundary}\r\n\r\nx\r\n--${boundary}--\r\n` },
    { name: 'a broken part header', contentType: form, body: `--${boundary}\r\nContent-Disposition: form-data; name="\xfc\n_"\r\n\r\n{}\r\n--${boundary}--\r\n` },
    { name: 'a body that ends inside a part', contentType: form, body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n\r\n姓名,身份证号` },
  ];

  for (const { name, contentType, body } of cases) {
    it(`answers 400 VALIDATION_FAILED on file for ${name}, enrolling nobody`, async () => {
      const admin = await tokenFor(config, 'admin');
      const res = await request(app).post('/api/v1/seniors/import').set('Authorization', admin).set('Content-Type', contentType).send(Buffer.from(body, 'latin1'));
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(res.body.error.details).to.have.length(1);
      expect(res.body.error.details[0].path).to.equal('file');
      expect(res.body.error.details[0].message).to.equal('上传的表单不完整或格式不正确，请重新选择文件上传');
      expect(res.body.error.requestId).to.be.a('string');
      expect(await SeniorModel.countDocuments()).to.equal(0);
      expect(await AuditEntryModel.countDocuments({ action: 'senior.enrol' })).to.equal(0);
    });
  }
});
