// How Tollgate's own pages (the dashboard, the example) get the user's token: the chat app,
// where the user is signed in, hands it over, and the page keeps it in memory only (never in
// storage or cookies).
//   - In the URL fragment: open `…/tollgate/dashboard.html#access_token=<token>`. The fragment
//     never reaches a server; the page removes it from the address bar at once.
//   - By postMessage: the page tells its opener (or the frame parent) `{ type: 'tollgate:ready' }`;
//     the app answers `dashboardWindow.postMessage({ type: 'tollgate:token', token }, tollgateOrigin)`.
//     When a call is refused with 401 the page asks again with `{ type: 'tollgate:token-expired' }`.
//   - In dev mode only: `?dev-user=alice` takes a token from the dev-only `GET /dev/token`.
// Messages are accepted from the opener or parent window only. The page shows the data of the
// token it was given, nothing else; the app must name Tollgate's origin as the target of its
// message, so that the token goes nowhere else.

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

/** Starts listening for a token; call once per page. */
export function startHandover() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromFragment = fragment.get('access_token');
  if (fromFragment) {
    history.replaceState(null, '', location.pathname + location.search);
    accept(fromFragment);
  }
  window.addEventListener('message', (event) => {
    const from = event.source;
    if (!from || from === window || (from !== window.opener && from !== window.parent)) return;
    if (event.data?.type === 'tollgate:token') accept(event.data.token);
  });
  const devUser = new URLSearchParams(location.search).get('dev-user');
  if (!token && devUser) {
    fetch(`${new URL('..', import.meta.url).pathname}dev/token?sub=${encodeURIComponent(devUser)}`)
      .then((response) => (response.ok ? response.text() : null))
      .then((value) => accept(value?.trim()))
      .catch(() => {});
  }
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
