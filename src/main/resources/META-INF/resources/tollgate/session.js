// How Tollgate's own pages (the dashboard, the example) get the user's token: the chat app,
// where the user is signed in, hands it over, and the page keeps it in memory only (never in
// storage or cookies).
//   - In the URL fragment: the app links to `…/tollgate/dashboard.html#access_token=<token>`. The
//     fragment never reaches a server; the page removes it from the address bar at once.
//   - By postMessage: the page tells its opener (or the frame parent) `{ type: 'tollgate:ready' }`;
//     the app answers `dashboardWindow.postMessage({ type: 'tollgate:token', token }, tollgateOrigin)`.
//     When a call is refused with 401 the page asks again with `{ type: 'tollgate:token-expired' }`.
//   - In dev mode only: `?dev-user=alice` takes a token from the dev-only `GET /dev/token`.
// A token is taken only from the chat app: the web-app origins Tollgate is configured with
// (TOLLGATE_WEB_ORIGINS), which Tollgate itself serves at web-origins.json. A message counts only
// from the opener or the parent window and only if its origin is one of them; a link only if the
// page was opened from one of them (its referrer's origin: the browser's default referrer policy
// sends it). Otherwise any page could open the dashboard with a token of its own, and show the
// user someone else's account as theirs. The page shows the data of the token it was given,
// nothing else; the app must name Tollgate's origin as the target of its message, so that the
// token goes nowhere else.

let token = null;
const waiting = [];

function accept(value) {
  if (typeof value !== 'string' || !value) return;
  token = value;
  waiting.splice(0).forEach((resolve) => resolve(token));
  document.dispatchEvent(new CustomEvent('tollgate-token'));
}

function peer() {
  if (window.opener && !window.opener.closed) return window.opener;
  return window.parent !== window ? window.parent : null;
}

function tell(message) {
  // No secret in these messages: any origin may read them.
  peer()?.postMessage(message, '*');
}

/** The web-app origins, as Tollgate serves them (none if they cannot be read). */
async function webOrigins() {
  try {
    const response = await fetch(new URL('web-origins.json', import.meta.url), { cache: 'no-store' });
    const body = response.ok ? await response.json() : null;
    const origins = Array.isArray(body?.origins) ? body.origins : [];
    return origins.filter((origin) => typeof origin === 'string' && /^https?:\/\/[^/*\s]+$/.test(origin));
  } catch {
    return [];
  }
}

function referrerOrigin() {
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}

/** Starts listening for a token; call once per page. Resolves when the page listens. */
export async function startHandover() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromFragment = fragment.get('access_token');
  if (fromFragment) {
    history.replaceState(null, '', location.pathname + location.search);
  }
  const devUser = new URLSearchParams(location.search).get('dev-user');
  if (devUser && !fromFragment) {
    fetch(`${new URL('..', import.meta.url).pathname}dev/token?sub=${encodeURIComponent(devUser)}`)
      .then((response) => (response.ok ? response.text() : null))
      .then((value) => accept(value?.trim()))
      .catch(() => {});
  }
  const origins = await webOrigins();
  if (fromFragment && origins.includes(referrerOrigin())) accept(fromFragment);
  window.addEventListener('message', (event) => {
    const from = event.source;
    if (!from || from === window || (from !== window.opener && from !== window.parent)) return;
    if (!origins.includes(event.origin)) return;
    if (event.data?.type === 'tollgate:token') accept(event.data.token);
  });
  if (!token) tell({ type: 'tollgate:ready' });
}

/** The current token, as soon as there is one. */
export function getToken() {
  return token ? Promise.resolve(token) : new Promise((resolve) => waiting.push(resolve));
}

export function hasToken() {
  return token !== null;
}

/** The token was refused: ask the app for a fresh one (the old one stays until it comes). */
export function requestFreshToken() {
  tell({ type: 'tollgate:token-expired' });
}
