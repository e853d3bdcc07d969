/**
 * Signing with the seller's own RSA private key, as the License example does for each license it
 * issues: RSA-SHA256 (PKCS#1 v1.5) over the UTF-8 bytes of a text, written in Base64. It is the
 * signature n8n's Crypto node makes with Sign, RSA-SHA256 and BASE64, so a license signed either
 * way is checked with the same public key. The key is read by core/rsa-secret.ts.
 */
import { sign, type KeyObject } from 'node:crypto';

/** The Base64 RSA-SHA256 signature of `text` (its UTF-8 bytes) with `key`. */
export function rsaSha256Base64(key: KeyObject, text: string): string {
	return sign('sha256', Buffer.from(text, 'utf8'), key).toString('base64');
}
