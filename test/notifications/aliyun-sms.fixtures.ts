import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A stand-in for dysmsapi.aliyuncs.com on 127.0.0.1: it takes SendSms as a form-encoded POST and
 * checks the signature the way Alibaba Cloud's 签名机制 page describes, written out here on its
 * own (not the adapter's code): parameters but Signature sorted by name, each name and value
 * encoded per RFC 3986 (encodeURIComponent, then ! ' ( ) * too), joined with & and =; the string
 * to sign is "POST&%2F&" + the encoded canonical query; the key is AccessKeySecret + "&"; HMAC-SHA1,
 * Base64. A wrong signature, an unknown key, a stale timestamp or a nonce seen before is refused
 * with the provider's error codes and HTTP statuses.
 */

export interface ReceivedSms {
  params: Record<string, string>;
  isSignatureValid: boolean;
}

const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** The provider's documented algorithm (the test's own copy). */
export function documentedSignature(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params).filter((k) => k !== 'Signature').sort().map((k) => `${rfc3986(k)}=${rfc3986(params[k]!)}`).join('&');
  const toSign = `${method}&${rfc3986('/')}&${rfc3986(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign, 'utf8').digest('base64');
}

export interface FakeAliyun {
  url: string;
  received: ReceivedSms[];
  /** What the next SendSms calls answer: OK (default) or a provider error code. */
  answerWith(code: 'OK' | string): void;
  close(): Promise<void>;
}

/** A provider error for this message, every time it is sent (e.g. by its PhoneNumbers); null to answer as usual. */
export type Refusal = (params: Record<string, string>) => { code: string; message: string } | null;

export async function startFakeAliyun(keys: { accessKeyId: string; accessKeySecret: string }, refuse: Refusal = () => null): Promise<FakeAliyun> {
  const received: ReceivedSms[] = [];
  const nonces = new Set<string>();
  let answer = 'OK';
  let sequence = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const isSignatureValid = req.method === 'POST' && params.Signature === documentedSignature('POST', params, keys.accessKeySecret);
      received.push({ params, isSignatureValid });
      const reply = (status: number, payload: object) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
        res.end(JSON.stringify({ RequestId: `req-${received.length}`, ...payload }));
      };
      if (params.AccessKeyId !== keys.accessKeyId) return reply(404, { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
      if (!isSignatureValid) return reply(400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' });
      const age = Math.abs(Date.now() - Date.parse(params.Timestamp ?? ''));
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(params.Timestamp ?? '') || !(age < 15 * 60_000)) return reply(400, { Code: 'InvalidTimeStamp.Expired', Message: 'Specified time stamp or date value is expired.' });
      if (nonces.has(params.SignatureNonce ?? '')) return reply(400, { Code: 'SignatureNonceUsed', Message: 'Specified signature nonce was used already.' });
      nonces.add(params.SignatureNonce ?? '');
      const refusal = refuse(params);
      if (refusal) return reply(200, { Code: refusal.code, Message: refusal.message });
      if (answer !== 'OK') return reply(200, { Code: answer, Message: `触发流控 (${answer})` });
      sequence += 1;
      reply(200, { Code: 'OK', Message: 'OK', BizId: `biz-${sequence}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    answerWith: (code) => { answer = code; },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
