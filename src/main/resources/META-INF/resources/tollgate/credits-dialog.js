// <tollgate-credits-dialog>: opens by itself when a Tollgate call is refused with 402.
//
//   <tollgate-credits-dialog upgrade-url="/plans"></tollgate-credits-dialog>
//
// Says what the call needed and what is available (from the problem details of the 402), with
// an upgrade link when the plan offers one, and the credit packs on sale with a buy button each
// (packs.js) where purchases are configured (none where they are not). A 402 on a team pool says
// which account ran out instead: the member's monthly cap on the team (available is what the cap
// leaves) or the team's pool; it offers no packs, which would buy the user's own credits
// (the host carries data-ran-out="member-cap", "pool" or "credits"). A modal dialog: focus moves into it and stays there
// (Tab and Shift+Tab cycle inside), Escape or Close closes it and focus returns where it was.
// open(problem) opens it by hand; it fires `tollgate-dialog-close` when closed.

import { sharedClient } from './client.js';
import { credits, refusalText, teamOf } from './format.js';
import { PackOffer } from './packs.js';

const STYLESHEET = new URL('./components.css', import.meta.url).href;
const FOCUSABLE = 'a[href]:not([hidden]), button:not([disabled]):not([hidden]), [tabindex]:not([tabindex="-1"])';

export class TollgateCreditsDialog extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <link rel="stylesheet" href="${STYLESHEET}">
      <dialog part="dialog" aria-labelledby="title" aria-describedby="detail">
        <h2 id="title" part="title">Not enough credits</h2>
        <div id="detail">
          <p class="summary">This message needs more credits than you have.</p>
          <dl part="numbers">
            <dt>Required</dt><dd class="required" data-testid="required"></dd>
            <dt>Available</dt><dd class="available" data-testid="available"></dd>
          </dl>
          <p class="upgrade-text" hidden></p>
        </div>
        <section class="buy-credits" part="buy-credits" aria-labelledby="buy-title" hidden>
          <h3 id="buy-title">Buy credits</h3>
          <div class="pack-offer"></div>
        </section>
        <div class="actions">
          <a class="upgrade" part="upgrade" hidden>Upgrade your plan</a>
          <button class="close" part="close" type="button">Close</button>
        </div>
      </dialog>`;
    this.dialog = root.querySelector('dialog');
    this.dialog.addEventListener('keydown', (event) => this.onKey(event));
    this.dialog.addEventListener('cancel', (event) => { event.preventDefault(); this.close(); });
    root.querySelector('.close').addEventListener('click', () => this.close());
    this.onProblem = (event) => this.open(event.detail);
  }

  set client(client) {
    this.attach(client);
  }

  connectedCallback() {
    if (!this.attached && !this.hasAttribute('manual')) {
      sharedClient().then((client) => { if (!this.attached) this.attach(client); });
    }
  }

  disconnectedCallback() {
    this.attached?.removeEventListener('insufficient-credits', this.onProblem);
  }

  attach(client) {
    this.attached?.removeEventListener('insufficient-credits', this.onProblem);
    this.attached = client;
    client.addEventListener('insufficient-credits', this.onProblem);
    this.offer = new PackOffer(this.shadowRoot.querySelector('.pack-offer'), client);
  }

  get isOpen() {
    return this.dialog.open;
  }

  /** Shows the numbers of a 402 problem ({ requiredMillicredits, availableMillicredits, upgrade?, detail? }). */
  open(problem = {}) {
    const root = this.shadowRoot;
    const ranOut = problem.ranOut === 'member-cap' || problem.ranOut === 'pool' ? problem.ranOut : 'credits';
    this.dataset.ranOut = ranOut;
    this.problem = problem;
    const required = millicredits(problem, 'required');
    const available = ranOut === 'member-cap' ? capLeft(problem) : millicredits(problem, 'available');
    root.querySelector('.required').textContent = required === null ? '–' : `${credits(required)} credits`;
    root.querySelector('.available').textContent = available === null ? '–' : `${credits(available)} credits`;
    const summary = root.querySelector('.summary');
    if (ranOut === 'pool') {
      summary.textContent = `${refusalText(problem)}: this needs ${credits(required ?? 0)} credits; the pool has ${credits(available ?? 0)} available.`;
    } else if (ranOut === 'member-cap') {
      summary.textContent = `${refusalText(problem)}.`;
      this.attached?.team(teamOf(problem.account)).then((team) => {
        if (this.problem === problem) summary.textContent = `${refusalText(problem, team.name)}.`;
      }, () => {});
    } else {
      summary.textContent = required !== null && available !== null
        ? `This needs ${credits(required)} credits; you have ${credits(available)} available.`
        : (problem.detail || 'This needs more credits than you have.');
    }
    const upgradeText = root.querySelector('.upgrade-text');
    const upgradeLink = root.querySelector('.upgrade');
    const url = this.getAttribute('upgrade-url');
    upgradeText.hidden = !problem.upgrade;
    upgradeText.textContent = problem.upgrade || '';
    upgradeLink.hidden = !(problem.upgrade && url);
    if (url) upgradeLink.href = url;
    if (!this.dialog.open) {
      this.returnFocus = deepActiveElement();
      this.dialog.showModal();
    }
    this.showPacks();
    // The first action (upgrade, or Close), not a buy button: a keystroke should not start a purchase.
    (this.focusables().find((el) => el.closest('.actions')) ?? this.focusables()[0])?.focus();
  }

  /** The packs on sale, once read; the section stays hidden where purchases are not configured. */
  async showPacks() {
    const section = this.shadowRoot.querySelector('.buy-credits');
    if (!this.offer) return;
    if (this.dataset.ranOut !== 'credits') {
      section.hidden = true;
      return;
    }
    const state = await this.offer.load();
    section.hidden = state !== 'shown';
    this.dataset.packs = state;
  }

  close() {
    if (!this.dialog.open) return;
    this.dialog.close();
    this.returnFocus?.focus?.();
    this.returnFocus = null;
    this.dispatchEvent(new CustomEvent('tollgate-dialog-close', { bubbles: true, composed: true }));
  }

  focusables() {
    return [...this.dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest('[hidden]'));
  }

  onKey(event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = this.focusables();
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = this.shadowRoot.activeElement;
    if (event.shiftKey && (active === first || !items.includes(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !items.includes(active))) {
      event.preventDefault();
      first.focus();
    }
  }
}

/** The amount in millicredits: the exact field if present, else the credits field (3 decimals). */
function millicredits(problem, name) {
  const exact = problem[`${name}Millicredits`];
  if (Number.isInteger(exact)) return exact;
  const value = problem[name];
  if (value === undefined || value === null || Number.isNaN(Number(value))) return null;
  return Math.round(Number(value) * 1000);
}

/** What a member's cap leaves: cap minus spent minus held, at least 0; null without the numbers. */
function capLeft(problem) {
  const cap = problem.capMillicredits;
  if (!Number.isInteger(cap)) return null;
  return Math.max(0, cap - (problem.spentMillicredits ?? 0) - (problem.heldMillicredits ?? 0));
}

function deepActiveElement() {
  let element = document.activeElement;
  while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
  return element;
}

if (!customElements.get('tollgate-credits-dialog')) customElements.define('tollgate-credits-dialog', TollgateCreditsDialog);
