import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { gatewayAuthFrom } from '../../core/gateway-receive';

export const GATEWAY_CREDENTIAL = 'kooGalleryGatewayApi';

/**
 * Credential test for KooGallery Gateway Auth. No gateway endpoint checks these values, so this
 * checks their shape only; the real proof is a call from the gateway or the local simulator.
 */
export async function testGatewayAuth(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const auth = gatewayAuthFrom(credential.data);
	if ('problem' in auth)
		return { status: 'Error', message: `The credential cannot check calls: ${auth.problem}.` };
	const problems: string[] = [];
	if (auth.type === 'appKey') {
		for (const pair of auth.keys) {
			if (pair.appSecret.trim() !== pair.appSecret)
				problems.push('An APP Secret starts or ends with a space.');
		}
	}
	if (auth.type === 'signatureKey') {
		for (const pair of auth.keys) {
			if (pair.secret.trim() !== pair.secret)
				problems.push('A signature Secret starts or ends with a space.');
		}
	}
	if (auth.type === 'header') {
		if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(auth.name))
			problems.push('The header name has characters a header name cannot have.');
		if (/^(x-apig-|x-sdk-)|^x-stage$/.test(auth.name))
			problems.push(
				'Header names starting with x-apig- or x-sdk-, and x-stage, are reserved by API Gateway.',
			);
		if (auth.values[0].length < 16)
			problems.push(
				'The header secret value is shorter than 16 characters; use a long random value.',
			);
	}
	if (problems.length > 0) return { status: 'Error', message: problems.join(' ') };
	return {
		status: 'OK',
		message:
			'The values look right. No gateway endpoint can check them remotely: send a call with the simulator (npm run sim) to prove them.',
	};
}
