import { SessionSchema } from '@pulseboard/shared';
import { getJson, sendJson } from './client.ts';

const PATH = '/api/v1/session';

/** Whether the server has keys, and what this browser's session may do. */
export const fetchSession = (signal?: AbortSignal) => getJson(PATH, SessionSchema, signal);

/** Opens a session with a read or admin key: the server answers with an HttpOnly cookie the page never sees. */
export const logIn = (key: string) => sendJson('POST', PATH, { key }, SessionSchema);

export const logOut = () => sendJson('DELETE', PATH);
