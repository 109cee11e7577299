// The credit packs on sale with a buy button each: the dashboard's "Buy credits" section and the
// insufficient-credits dialog show them the same way.
//
//   const offer = new PackOffer(container, client);
//   const state = await offer.load(); // 'shown' | 'not-configured' | 'failed'
//
// A click on a buy button starts a purchase under a fresh Idempotency-Key; if Tollgate answers that
// the payment provider is away (503) or the request did not get through, the message offers
// "Try again", which repeats that same request under the same key, so that it cannot start a second
// purchase. Once Tollgate answers the purchase, the container fires `tollgate-checkout` (bubbling,
// composed, cancelable; detail: the purchase) and, unless the app cancels it, the browser goes to
// the purchase's Stripe Checkout page (the whole tab, when the page is in a frame). Every text from the server is inserted as text.

import { credits, price } from './format.js';

/** A fresh idempotency key: a random UUID (crypto.randomUUID needs a secure context, hence the fallback). */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The URL if it is a web address (http or https), else null: the checkout URL is never run as script. */
export function webUrl(value) {
  try {
    const url = new URL(value, location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Sends the browser to the Checkout page: the whole tab when the page is framed (the chat app frames
 * the dashboard), since Stripe's pages refuse to be framed. The click's user activation allows that.
 */
function goTo(url) {
  if (window.top !== window.self) window.open(url, '_top');
  else location.assign(url);
}

export class PackOffer {
  /**
   * @param {HTMLElement} container where the list, the message and the retry button go (emptied)
   * @param {import('./client.js').TollgateClient} client
   */
  constructor(container, client) {
    this.container = container;
    this.client = client;
    this.list = document.createElement('ul');
    this.list.className = 'packs';
    this.message = document.createElement('p');
    this.message.className = 'purchase-message';
    this.message.setAttribute('role', 'status');
    this.message.setAttribute('aria-live', 'polite');
    this.retryButton = document.createElement('button');
    this.retryButton.type = 'button';
    this.retryButton.className = 'retry';
    this.retryButton.textContent = 'Try again';
    this.retryButton.hidden = true;
    this.retryButton.addEventListener('click', () => { if (this.failed) this.send(this.failed); });
    this.container.replaceChildren(this.list, this.message, this.retryButton);
    this.failed = null; // { pack, key } of the attempt that may be tried again
    this.busy = false;
    // Back from the Checkout page, the browser may show this page as it was left: usable again.
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) {
        this.setBusy(false);
        this.say('');
      }
    });
  }

  /** Reads the packs and draws them; 'not-configured' where purchases are not set up. */
  async load() {
    try {
      this.render(await this.client.packs());
      return 'shown';
    } catch (error) {
      if (error.notConfigured) {
        this.list.replaceChildren();
        return 'not-configured';
      }
      this.say('The credit packs could not be loaded.');
      return 'failed';
    }
  }

  render(packs) {
    this.list.replaceChildren(...packs.map((pack) => {
      const item = document.createElement('li');
      item.className = 'pack';
      item.dataset.packId = pack.packId;
      const amount = document.createElement('span');
      amount.className = 'pack-credits';
      amount.textContent = `${credits(pack.creditsMillicredits)} credits`;
      const cost = document.createElement('span');
      cost.className = 'pack-price';
      cost.textContent = price(pack.priceAmount, pack.priceCurrency);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'buy';
      button.textContent = 'Buy';
      button.setAttribute('aria-label', `Buy ${amount.textContent} for ${cost.textContent}`);
      button.addEventListener('click', () => this.send({ pack, key: newIdempotencyKey() }));
      item.append(amount, cost, button);
      return item;
    }));
    if (!packs.length) this.say('No credit packs are on sale right now.');
  }

  /** One attempt: a new click brings a new key, "Try again" the key of the attempt that failed. */
  async send(attempt) {
    if (this.busy) return;
    this.setBusy(true);
    this.failed = null;
    this.retryButton.hidden = true;
    this.say('Opening the payment page…');
    try {
      const purchase = await this.client.buy(attempt.pack.packId, { idempotencyKey: attempt.key });
      const url = webUrl(purchase.checkoutUrl);
      if (!url) throw new Error('no checkout URL');
      const go = new CustomEvent('tollgate-checkout', { bubbles: true, composed: true, cancelable: true, detail: purchase });
      if (this.container.dispatchEvent(go)) {
        this.say('Taking you to the payment page…');
        goTo(url);
      } else {
        this.say('');
        this.setBusy(false);
      }
    } catch (error) {
      this.setBusy(false);
      // No answer, or the payment provider (or the database) away: the same request may be sent again.
      const retryable = error.retryable || error instanceof TypeError;
      if (retryable) {
        this.failed = attempt;
        this.retryButton.hidden = false;
        this.say('The payment provider cannot be reached right now; nothing was charged. Try again in a moment.');
      } else {
        this.say(error.problem?.detail || error.problem?.title || 'The purchase could not be started.');
      }
    }
  }

  setBusy(busy) {
    this.busy = busy;
    this.list.querySelectorAll('button').forEach((button) => { button.disabled = busy; });
    this.retryButton.disabled = busy;
  }

  say(text) {
    this.message.textContent = text;
  }
}
