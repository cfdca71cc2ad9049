import { LoginResponse } from './api.ts';

/**
 * The browser session (issue 8): the login token lives in an HttpOnly cookie the web
 * UI's JavaScript never sees; unsafe requests authenticated by that cookie must echo
 * the CSRF cookie in a header (double submit). Shared by the server and the web UI.
 */
export const SESSION_COOKIE = 'pg_session';
export const CSRF_COOKIE = 'pg_csrf';
export const CSRF_HEADER = 'x-plantgate-csrf';
/** Sent by the web UI with its login: answer with cookies instead of a token in the body. */
export const WEB_CLIENT_HEADER = 'x-plantgate-client';
export const WEB_CLIENT_VALUE = 'web';

/** The login answer the browser gets: everything of LoginResponse except the token. */
export const WebLoginResponse = LoginResponse.omit({ token: true });
