import { expect } from 'chai';
import { exportFileName } from '../../src/settlement/statement-export.ts';
import { attachmentDisposition } from '../../src/shared/http/attachment.ts';
import { maskName } from '../../src/shared/pii.ts';

describe('masked names and download file names', () => {
  it('masks a name to its first and last characters (two characters: the first)', () => {
    expect(['王秀英', '欧阳秀英', '王五', '李', '', ' 张三丰 '].map(maskName)).to.deep.equal(['王*英', '欧**英', '王*', '*', '', '张*丰']);
  });

  it('names a statement file by provider and month, with what a file system refuses replaced', () => {
    expect(exportFileName({ period: '2026-03', providerName: '安心养老服务中心' }, 'xlsx')).to.equal('结算单-安心养老服务中心-2026年03月.xlsx');
    expect(exportFileName({ period: '2026-10', providerName: '康乐/居家:养老*中心?' }, 'csv')).to.equal('结算单-康乐_居家_养老_中心_-2026年10月.csv');
  });

  it('sends the name as RFC 5987 filename* (every non attr-char percent-encoded) beside an ASCII filename', () => {
    const header = attachmentDisposition("结算单-A'(B)*.csv", 'statement-"x".csv');

    expect(header).to.equal(`attachment; filename="statement-_x_.csv"; filename*=UTF-8''${encodeURIComponent('结算单-A')}%27%28B%29%2A.csv`);
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).to.equal("结算单-A'(B)*.csv");
  });
});
