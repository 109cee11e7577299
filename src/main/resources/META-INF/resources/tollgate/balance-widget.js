// <tollgate-balance>: the user's credits, live.
//
//   <tollgate-balance upgrade-url="/plans"></tollgate-balance>
//
// Shows the available credits and the warning level (ok / low / critical / empty, from the
// thresholds the balance carries, in words as well as colour), the day the credits run out at the
// pace of the last 7 days when that is before the next refresh (the balance's forecast; the host
// then carries data-forecast="before-refresh"), and an upgrade prompt when the
// plan offers one (free plans running low). The amount is an aria-live region. The element uses
// the client of configure(), or the one set on its `client` property. Without `upgrade-url` the
// prompt is a button that fires `tollgate-upgrade` (bubbling, composed) for the app to handle.

import { sharedClient } from './client.js';
import { credits, warningLevel, LEVEL_TEXT, depletionNote } from './format.js';

const STYLESHEET = new URL('./components.css', import.meta.url).href;

export class TollgateBalance extends HTMLElement {
  static get observedAttributes() {
    return ['upgrade-url', 'label'];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <link rel="stylesheet" href="${STYLESHEET}">
      <div class="balance" part="balance" data-level="unknown">
        <span class="label" id="label" part="label">Credits</span>
        <output class="amount" part="amount" aria-live="polite" aria-atomic="true" aria-labelledby="label" aria-describedby="level">…</output>
        <span class="level" id="level" part="level">Loading your balance</span>
        <span class="forecast" part="forecast" hidden></span>
        <a class="upgrade" part="upgrade" hidden>Upgrade for more credits</a>
        <button class="upgrade" part="upgrade" type="button" hidden>Upgrade for more credits</button>
      </div>`;
    this.box = root.querySelector('.balance');
    this.amount = root.querySelector('.amount');
    this.levelText = root.querySelector('.level');
    this.forecastText = root.querySelector('.forecast');
    this.upgradeLink = root.querySelector('a.upgrade');
    this.upgradeButton = root.querySelector('button.upgrade');
    this.upgradeButton.addEventListener('click', () => {
      this.dispatchEvent(new CustomEvent('tollgate-upgrade', { bubbles: true, composed: true, detail: { balance: this.current } }));
    });
    this.onBalance = (event) => this.render(event.detail);
    this.current = null;
  }

  /** The client to use instead of the shared one. */
  set client(client) {
    this.attach(client);
  }

  get client() {
    return this.attached;
  }

  connectedCallback() {
    this.applyLabel();
    if (!this.attached) sharedClient().then((client) => { if (!this.attached) this.attach(client); });
    else this.load();
  }

  disconnectedCallback() {
    this.attached?.removeEventListener('balance', this.onBalance);
    this.listening = false;
  }

  attributeChangedCallback() {
    this.applyLabel();
    if (this.current) this.render(this.current);
  }

  attach(client) {
    this.attached?.removeEventListener('balance', this.onBalance);
    this.attached = client;
    this.listening = false;
    if (this.isConnected) this.load();
  }

  load() {
    if (!this.listening) {
      this.attached.addEventListener('balance', this.onBalance);
      this.listening = true;
    }
    this.attached.connect();
    this.attached.balance().then((balance) => this.render(balance), () => {
      this.levelText.textContent = 'Balance unavailable';
    });
  }

  applyLabel() {
    this.shadowRoot.getElementById('label').textContent = this.getAttribute('label') || 'Credits';
  }

  render(balance) {
    this.current = balance;
    const level = warningLevel(balance.availableMillicredits, balance.thresholds);
    this.box.dataset.level = level;
    this.dataset.level = level;
    this.amount.value = credits(balance.availableMillicredits);
    this.amount.textContent = this.amount.value;
    this.levelText.textContent = LEVEL_TEXT[level];
    const note = level === 'empty' ? null : depletionNote(balance);
    this.forecastText.hidden = !note;
    this.forecastText.textContent = note ?? '';
    if (note) this.dataset.forecast = 'before-refresh';
    else delete this.dataset.forecast;
    const url = this.getAttribute('upgrade-url');
    const prompt = Boolean(balance.upgradeHint);
    this.upgradeLink.hidden = !(prompt && url);
    this.upgradeButton.hidden = !(prompt && !url);
    if (url) this.upgradeLink.href = url;
  }
}

if (!customElements.get('tollgate-balance')) customElements.define('tollgate-balance', TollgateBalance);
