/**
 * Spec vectors several test files check against, byte for byte: docs/protocol/koogallery-saas-v2.md T2 (seller
 * key `0123456789abcdef-TEST-KEY-not-real`, IV `A1b2C3d4E5f6G7h8`): encrypted credentials and
 * contact, the signed newInstance call and its Body-Sign answer.
 */
export const T2 = {
	admin1: 'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw==',
	admin2: 'A1b2C3d4E5f6G7h8xZoX7TTJ1Lm96f4df3BqmA==',
	password1: 'A1b2C3d4E5f6G7h8u69Oak+I0q04Uwa2Cuxj9A==',
	mobile1: 'A1b2C3d4E5f6G7h8z3Eg5QAG9OZ99ArOZK1Ywg==',
	body: '{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}',
	url: 'https://www.isvwebsite.com/saasproduce?signature=326b471467475cf08ec741e215297a770a8c4b07ef6d715c6eaf926c30d684a5&timestamp=1680508066618&nonce=50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
	answer:
		'{"resultCode":"000000","resultMsg":"success","instanceId":"87b94795-0603-4e24-8ae5-69420d60e3c8"}',
	bodySign: 'sign_type="HMAC-SHA256", signature= "yHaSmgvtePiU2kTJ1G3Vt+fP6pqa55l+I5lu4kWkK00="',
};
