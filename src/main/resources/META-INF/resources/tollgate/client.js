// The Tollgate client: authenticated calls, the balance with a 5-minute cache, the live balance
// stream, and the signal that a call was refused for lack of credits.
//
//   import { TollgateClient } from 'https://tollgate.example.com/tollgate/client.js';
//   const tollgate = new TollgateClient({ baseUrl: 'https://tollgate.example.com', getToken: () => myToken() });
//   tollgate.addEventListener('balance', (e) => console.log(e.detail.availableMillicredits));
//   tollgate.connect();
//
// Events (all CustomEvents, the payload in `detail`):
//   balance               a balance (the body of GET /api/credit/balance), from the stream or a read
//   insufficient-credits  a 402 problem (required, available, requiredMillicredits, availableMillicredits, upgrade?;
//                         on a team pool also account "team:<id>" and ranOut "pool" or "member-cap")
//   connection            { state: 'connecting' | 'open' | 'closed' | 'unauthenticated' }
//   unauthenticated       a call or the stream was refused with 401: hand over a fresh token
//
// The stream is read with fetch() and a ReadableStream, not EventSource, because EventSource
// cannot send the bearer token.
//
// forAccount('team:<id>') answers a client of the same user for a team's pool: its calls, its balance
// and its stream carry X-Tollgate-Account; its 402 and 401 events fire on this client (the root), where
// the dialog listens. teams(), team(id), teamBalance(id), teamMember(id) and teamUsage(id, { from, to })
// read the team API (answering the body or throwing a TollgateProblem).
//
// The purchase calls (packs, purchases, buy, autoTopUp, saveAutoTopUp) answer the body, or throw a
// TollgateProblem with the status and the problem details; where purchases are not configured
// (404 purchases-not-configured) its `notConfigured` is true.

export const CACHE_TTL_MS = 5 * 60 * 1000;
export const ACCOUNT_HEADER = 'X-Tollgate-Account';
const TEAM_ACCOUNT = /^team:[0-9a-fA-F-]{36}$/;
export const PURCHASES_NOT_CONFIGURED = 'https://tollgate.dev/problems/purchases-not-configured';
const MAX_RETRY_MS = 30_000;

export class TollgateClient extends EventTarget {
  /**
   * @param {object} options
   * @param {string} [options.baseUrl] where Tollgate is served (default: where this module came from)
   * @param {() => (string|Promise<string>)} options.getToken the user's current access token
   * @param {number} [options.cacheTtlMs] how long a balance read is reused (5 minutes)
   * @param {string} [options.account] a team's pool ("team:<id>") to read and spend from; the user's own if absent
   */
  constructor({ baseUrl, getToken, cacheTtlMs = CACHE_TTL_MS, account = null, root = null } = {}) {
    super();
    if (typeof getToken !== 'function') throw new TypeError('getToken is required');
    if (account !== null && !TEAM_ACCOUNT.test(account)) throw new TypeError('account is "team:<team id>"');
    this.baseUrl = (baseUrl ?? new URL('..', import.meta.url).href).replace(/\/+$/, '');
    this.getToken = getToken;
    this.cacheTtlMs = cacheTtlMs;
    this.account = account;
    this.root = root ?? this;
    this.accounts = new Map(); // account -> client of that pool
    this.teamReads = new Map(); // team id -> Promise of the team
    this.cached = null; // { balance, at }
    this.pending = null;
    this.packList = null; // Promise of the packs
    this.stream = null; // { controller }
    this.lastEventId = null;
    this.state = 'closed';
  }

  /** fetch() with the bearer token; a 402 also fires `insufficient-credits`, a 401 `unauthenticated`. */
  async fetch(path, init = {}) {
    const token = await this.getToken();
    const headers = new Headers(init.headers ?? {});
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    if (this.account && !headers.has(ACCOUNT_HEADER)) headers.set(ACCOUNT_HEADER, this.account);
    const response = await fetch(this.url(path), { ...init, headers });
    await this.inspect(response);
    return response;
  }

  /**
   * Looks at a response of any Tollgate call, made with this client or not (an OpenAI client's,
   * say): a 402 opens the insufficient-credits dialog. The body is read from a clone.
   */
  async inspect(response) {
    if (response.status === 402) {
      let problem = {};
      try {
        problem = await response.clone().json();
      } catch {
        // Not problem details: the dialog shows what it has.
      }
      this.root.emit('insufficient-credits', problem);
    } else if (response.status === 401) {
      this.root.emit('unauthenticated', {});
    }
    return response;
  }

  /** The client of the same user for a team's pool ("team:<id>"), one per account; this one for null. */
  forAccount(account) {
    if (!account) return this.root;
    if (account === this.account) return this;
    if (this.root !== this) return this.root.forAccount(account);
    if (!this.accounts.has(account)) {
      this.accounts.set(account, new TollgateClient({
        baseUrl: this.baseUrl, getToken: this.getToken, cacheTtlMs: this.cacheTtlMs, account, root: this,
      }));
    }
    return this.accounts.get(account);
  }

  /** The user's teams with their role (GET /api/teams). */
  async teams() {
    return this.root.json('/api/teams');
  }

  /** A team of the user with their role (GET /api/teams/{id}), read once per client. */
  async team(teamId) {
    const teams = this.root.teamReads;
    if (!teams.has(teamId)) {
      const read = this.root.json(`/api/teams/${encodeURIComponent(teamId)}`);
      read.catch(() => teams.delete(teamId));
      teams.set(teamId, read);
    }
    return teams.get(teamId);
  }

  /**
   * The balance: from the cache while the stream is open (it brings every change) or the cached
   * value is younger than the TTL, else read from the server.
   */
  async balance({ fresh = false } = {}) {
    if (!fresh && this.cached && (this.state === 'open' || Date.now() - this.cached.at < this.cacheTtlMs)) {
      return this.cached.balance;
    }
    if (!this.pending) {
      this.pending = (async () => {
        const response = await this.fetch('/api/credit/balance');
        if (!response.ok) throw new Error(`balance: HTTP ${response.status}`);
        return this.remember(await response.json());
      })().finally(() => { this.pending = null; });
    }
    return this.pending;
  }

  /** GET /api/credit/usage with the given query parameters ({ from, to, groupBy, page, size }). */
  async usage(params = {}) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
    }
    const response = await this.fetch(`/api/credit/usage?${query}`);
    if (!response.ok) throw new Error(`usage: HTTP ${response.status}`);
    return response.json();
  }

  /** A team pool's balance with every member's spending (GET /api/teams/{id}/balance; owners and managers). */
  async teamBalance(teamId) {
    return this.root.json(`/api/teams/${encodeURIComponent(teamId)}/balance`);
  }

  /** The user's own spending from a team's pool and what their cap leaves (GET /api/teams/{id}/members/me). */
  async teamMember(teamId) {
    return this.root.json(`/api/teams/${encodeURIComponent(teamId)}/members/me`);
  }

  /** What each member's calls on the pool cost, { from, to } as ISO days (GET /api/teams/{id}/usage; owners and managers). */
  async teamUsage(teamId, { from, to } = {}) {
    const query = new URLSearchParams();
    if (from) query.set('from', from);
    if (to) query.set('to', to);
    return this.root.json(`/api/teams/${encodeURIComponent(teamId)}/usage?${query}`);
  }

  /**
   * The credit packs on sale ([{ packId, credits, creditsMillicredits, priceAmount, priceCurrency }]),
   * read once per client (they change only with Tollgate's configuration).
   */
  async packs() {
    if (!this.packList) {
      this.packList = this.json('/api/credit/packs').then((body) => body.packs ?? []);
      this.packList.catch((error) => { if (!error.notConfigured) this.packList = null; });
    }
    return this.packList;
  }

  /** A page of the user's purchases, newest first: { page, size, more, items }. */
  async purchases({ page = 0, size = 20 } = {}) {
    return this.json(`/api/credit/purchases?page=${encodeURIComponent(page)}&size=${encodeURIComponent(size)}`);
  }

  /**
   * Starts buying a pack: the pending purchase with its `checkoutUrl`. A retry of the same attempt
   * must pass the same `idempotencyKey` (Tollgate then answers the same purchase).
   */
  async buy(packId, { idempotencyKey }) {
    if (!idempotencyKey) throw new TypeError('idempotencyKey is required');
    return this.json('/api/credit/purchases', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify({ packId }),
    });
  }

  /** The auto top-up settings: { enabled, thresholdCredits, packId, paymentMethodSaved, consecutiveFailures, disabledReason }. */
  async autoTopUp() {
    return this.json('/api/credit/auto-top-up');
  }

  /** Saves the auto top-up settings ({ enabled, thresholdCredits, packId }); answers them as stored. */
  async saveAutoTopUp(settings) {
    return this.json('/api/credit/auto-top-up', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(settings),
    });
  }

  /** Opens the live balance stream (once); it reconnects by itself until disconnect(). */
  connect() {
    if (this.stream) return;
    const controller = new AbortController();
    this.stream = { controller };
    this.run(controller.signal);
  }

  disconnect() {
    this.accounts.forEach((client) => client.disconnect());
    if (!this.stream) return;
    this.stream.controller.abort();
    this.stream = null;
    this.setState('closed');
  }

  // --- internals ---

  url(path) {
    return /^https?:/.test(path) ? path : this.baseUrl + path;
  }

  /** A call whose answer is JSON: the body, or a TollgateProblem for any status but 2xx. */
  async json(path, init) {
    const response = await this.fetch(path, init);
    let body = null;
    try {
      body = await response.json();
    } catch {
      // No JSON body: the status says what happened.
    }
    if (!response.ok) throw new TollgateProblem(response.status, body);
    return body;
  }

  remember(balance) {
    this.cached = { balance, at: Date.now() };
    this.emit('balance', balance);
    return balance;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setState(state) {
    if (this.state !== state) {
      this.state = state;
      this.emit('connection', { state });
    }
  }

  async run(signal) {
    let retryMs = 3000;
    let failures = 0;
    while (!signal.aborted) {
      this.setState('connecting');
      try {
        const token = await this.getToken();
        const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
        if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
        if (this.account) headers[ACCOUNT_HEADER] = this.account;
        const response = await fetch(this.url('/api/credit/events'), { headers, signal, cache: 'no-store' });
        if (response.status === 401) {
          this.setState('unauthenticated');
          this.root.emit('unauthenticated', {});
          failures++;
        } else if (!response.ok || !response.body) {
          failures++;
        } else {
          this.setState('open');
          failures = 0;
          await this.read(response.body, signal, (ms) => { retryMs = ms; });
        }
      } catch (error) {
        if (signal.aborted) return;
        failures++;
      }
      if (signal.aborted) return;
      this.setState('closed');
      // The server's retry delay, doubled for every failure in a row, at most 30 s, with jitter.
      const wait = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(failures, 4)) * (0.8 + Math.random() * 0.4);
      await sleep(wait, signal);
    }
  }

  /** Reads server-sent events (https://html.spec.whatwg.org/#event-stream-interpretation). */
  async read(body, signal, setRetry) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = { type: 'message', data: [], id: null };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || signal.aborted) return;
        buffer += value;
        let end;
        while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
          // A CR at the very end may be the first half of a CRLF split across chunks.
          if (end === buffer.length - 1 && buffer[end] === '\r') break;
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
          if (line === '') {
            if (event.data.length) this.dispatchStreamEvent(event);
            event = { type: 'message', data: [], id: null };
            continue;
          }
          if (line.startsWith(':')) continue; // heartbeat
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
          if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
          if (field === 'event') event.type = fieldValue;
          else if (field === 'data') event.data.push(fieldValue);
          else if (field === 'id') event.id = fieldValue;
          else if (field === 'retry' && /^\d+$/.test(fieldValue)) setRetry(Number(fieldValue));
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  dispatchStreamEvent(event) {
    if (event.id) this.lastEventId = event.id;
    if (event.type !== 'balance') return;
    try {
      this.remember(JSON.parse(event.data.join('\n')));
    } catch {
      // A malformed event is skipped; the next one or a reconnect brings the balance.
    }
  }
}

/** A call answered with an error status; `problem` is its problem details (or {}). */
export class TollgateProblem extends Error {
  constructor(status, problem) {
    const details = problem && typeof problem === 'object' ? problem : {};
    super(details.title || `HTTP ${status}`);
    this.name = 'TollgateProblem';
    this.status = status;
    this.problem = details;
    this.type = details.type ?? null;
  }

  /** Purchases are not set up where this Tollgate runs. */
  get notConfigured() {
    return this.status === 404 && this.type === PURCHASES_NOT_CONFIGURED;
  }

  /** Worth trying again with the same idempotency key (the payment provider or the database was away). */
  get retryable() {
    return this.status === 503 || this.status === 429;
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

let shared = null;
const waiting = [];

/** Sets up the client that the elements on the page use (call once, before or after they appear). */
export function configure(options) {
  shared?.disconnect();
  shared = options instanceof TollgateClient ? options : new TollgateClient(options);
  waiting.splice(0).forEach((resolve) => resolve(shared));
  return shared;
}

/** The client of configure(), as soon as there is one. */
export function sharedClient() {
  return shared ? Promise.resolve(shared) : new Promise((resolve) => waiting.push(resolve));
}
