/**
 * An owner account and a logged-in session on a fresh n8n 2.41.1, made through n8n's own REST API
 * exactly as the set-up screen and the sign-in form do:
 *
 * - `POST /rest/owner/setup` with `{ email, firstName, lastName, password }`
 *   (`dist/controllers/owner.controller.js`, body `OwnerSetupRequestDto` of `@n8n/api-types`: the
 *   password needs 8 to 64 characters, a digit and an upper-case letter);
 * - `POST /rest/login` with `{ emailOrLdapLoginId, password }` (`LoginRequestDto`), which sets the
 *   `n8n-auth` cookie. Without a `browser-id` header the cookie is not bound to one browser
 *   (`AuthService.validateBrowserId`), so the test browser can use it as it is.
 */
import { sendRequest } from '../../../scripts/n8n-http.cjs';

/** The owner the editor tests sign in as. */
export const OWNER = {
	email: 'seller@example.com',
	firstName: 'KooGallery',
	lastName: 'Seller',
	password: 'Editor-Test-Pass-1',
};

/** The session cookie the browser is given. */
export interface AuthCookie {
	name: string;
	value: string;
}

/** Sends a JSON request to n8n's REST API and returns the status, parsed body and cookies set. */
export async function restJson(
	baseUrl: string,
	method: string,
	route: string,
	body?: unknown,
	cookie?: AuthCookie,
): Promise<{ status: number; json: unknown; setCookies: string[] }> {
	const payload = body === undefined ? undefined : JSON.stringify(body);
	const answer = await sendRequest(`${baseUrl}/rest${route}`, {
		method,
		headers: {
			...(payload === undefined ? {} : { 'content-type': 'application/json' }),
			...(cookie ? { cookie: `${cookie.name}=${cookie.value}` } : {}),
		},
		body: payload,
	});
	const text = answer.body.toString('utf8');
	let json: unknown = text;
	try {
		json = JSON.parse(text);
	} catch {
		// Not JSON: keep the text for the error message.
	}
	const raw = answer.headers['set-cookie'];
	return { status: answer.status, json, setCookies: Array.isArray(raw) ? raw : raw ? [raw] : [] };
}

/**
 * Creates the instance owner (once per n8n) and signs in as them. Returns the `n8n-auth` cookie;
 * throws with n8n's answer when either step is refused.
 */
export async function setUpOwnerAndLogIn(baseUrl: string): Promise<AuthCookie> {
	const setup = await restJson(baseUrl, 'POST', '/owner/setup', OWNER);
	if (setup.status !== 200) {
		throw new Error(`owner set-up answered ${setup.status}: ${JSON.stringify(setup.json)}`);
	}
	const login = await restJson(baseUrl, 'POST', '/login', {
		emailOrLdapLoginId: OWNER.email,
		password: OWNER.password,
	});
	if (login.status !== 200) {
		throw new Error(`login answered ${login.status}: ${JSON.stringify(login.json)}`);
	}
	const auth = login.setCookies
		.map((line) => /^n8n-auth=([^;]+)/.exec(line))
		.find((match) => match !== null);
	if (!auth) throw new Error(`login set no n8n-auth cookie: ${login.setCookies.join(' | ')}`);
	return { name: 'n8n-auth', value: auth[1] };
}

/**
 * Saves a workflow for the signed-in user through `POST /rest/workflows` (body `CreateWorkflowDto`:
 * name, nodes, connections, settings and an optional id), as the editor does for a new workflow.
 * It is not published, like a workflow a seller has just built. Returns its id.
 */
export async function createWorkflow(
	baseUrl: string,
	cookie: AuthCookie,
	workflow: object,
): Promise<string> {
	const answer = await restJson(baseUrl, 'POST', '/workflows', workflow, cookie);
	const data = (answer.json as { data?: { id?: string } }).data;
	if (answer.status !== 200 || !data?.id) {
		throw new Error(
			`creating a workflow answered ${answer.status}: ${JSON.stringify(answer.json)}`,
		);
	}
	return data.id;
}
