import { createHmac } from 'node:crypto';

/*
 * Alibaba Cloud's RPC request signature (SignatureVersion 1.0, the one dysmsapi's SendSms takes),
 * as its 签名机制 page for SMS describes it:
 *   1. every parameter but Signature, sorted by name, each name and value percent-encoded (RFC 3986:
 *      A–Z a–z 0–9 - _ . ~ kept, space as %20, UTF-8 bytes as %XY) and joined name=value with &;
 *   2. StringToSign = HTTPMethod & percentEncode("/") & percentEncode(that canonical query);
 *   3. Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
 * The provider's server recomputes the same; test/notifications/aliyun-sms.test.ts checks the page's
 * worked example and a local server that verifies every request this adapter makes.
 */

/** RFC 3986 percent-encoding: encodeURIComponent leaves ! ' ( ) * unencoded, the signature does not. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The parameters sorted by name (code-unit order, as the provider's SDKs sort) and encoded. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => name !== 'Signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] as string)}`)
    .join('&');
}

export function stringToSign(method: 'GET' | 'POST', params: Readonly<Record<string, string>>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

/** The Signature parameter's value (before it is itself encoded into the request). */
export function signRpcRequest(method: 'GET' | 'POST', params: Readonly<Record<string, string>>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}
