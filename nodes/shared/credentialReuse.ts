import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';

/**
 * How long the triggers and KooGallery Respond reuse a credential they have read. Reading one
 * costs n8n a database query and a decryption and, in a trigger's webhook with n8n 2.x's default
 * expression-engine settings, a fresh expression isolate of its own (n8n's CredentialsHelper
 * resolves a credential read outside an execution in one): about a quarter of a call's CPU there.
 * A trigger that would refuse a call for the keys of a reused reading reads the credential again
 * first, so a key saved a moment ago never refuses a genuine call; a key removed is still accepted
 * for up to this long.
 */
export const CREDENTIAL_REUSE_MS = 5_000;
const MAX_CREDENTIALS_KEPT = 1_000;

/** What both a webhook and an execution context offer for reading a credential. */
export interface CredentialReader {
	getNode(): INode;
	getWorkflow(): { id?: string };
	getCredentials<T extends object = ICredentialDataDecryptedObject>(type: string): Promise<T>;
}

/**
 * Credentials read, per workflow and saved credential, held only in this process's memory. The
 * trigger and the Respond node of a workflow share an entry, so an answer is signed from the same
 * reading of the credential as the check of its call (the key is chosen by its place in it).
 */
const credentialsRead = new Map<string, { data: ICredentialDataDecryptedObject; readAt: number }>();

/**
 * Where a read credential is kept: only for a saved credential of a saved workflow (n8n gives both
 * IDs), so a reading is never shared across workflows.
 */
function credentialSlot(context: CredentialReader, type: string): string | undefined {
	const credentialId = context.getNode().credentials?.[type]?.id;
	const workflowId = context.getWorkflow().id;
	if (!credentialId || !workflowId) return undefined;
	return [workflowId, type, credentialId].join('\u0000');
}

function forgetOld(now: number): void {
	for (const [slot, read] of credentialsRead) {
		if (now - read.readAt >= CREDENTIAL_REUSE_MS || credentialsRead.size >= MAX_CREDENTIALS_KEPT) {
			credentialsRead.delete(slot);
		}
	}
}

/**
 * The node's credential as n8n gives it, or as read for the same workflow less than
 * {@link CREDENTIAL_REUSE_MS} ago (`reused`), unless `fresh`. Throws as n8n's getCredentials does;
 * a credential n8n could not read is never kept.
 */
export async function readCredential(
	context: CredentialReader,
	type: string,
	fresh = false,
): Promise<{ data: ICredentialDataDecryptedObject; reused: boolean }> {
	const slot = credentialSlot(context, type);
	const now = performance.now();
	const kept = slot === undefined ? undefined : credentialsRead.get(slot);
	if (!fresh && kept && now - kept.readAt < CREDENTIAL_REUSE_MS) {
		return { data: kept.data, reused: true };
	}
	if (slot !== undefined) credentialsRead.delete(slot);
	const data = await context.getCredentials<ICredentialDataDecryptedObject>(type);
	if (slot !== undefined) {
		forgetOld(now);
		credentialsRead.set(slot, { data, readAt: now });
	}
	return { data, reused: false };
}
