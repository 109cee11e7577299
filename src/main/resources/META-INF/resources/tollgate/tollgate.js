// Everything the chat app embeds, in one import. In a module of the app (/js/credits.js):
//
//   import { configure } from 'https://tollgate.example.com/tollgate/tollgate.js';
//   configure({ baseUrl: 'https://tollgate.example.com', getToken: () => auth.accessToken() });
//
// and in its page:
//
//   <script type="module" src="/js/credits.js"></script>
//   <tollgate-balance upgrade-url="/plans"></tollgate-balance>
//   <tollgate-credits-dialog upgrade-url="/plans"></tollgate-credits-dialog>

export { TollgateClient, TollgateProblem, configure, sharedClient, CACHE_TTL_MS, PURCHASES_NOT_CONFIGURED, ACCOUNT_HEADER } from './client.js';
export { TollgateBalance } from './balance-widget.js';
export { TollgateCreditsDialog } from './credits-dialog.js';
export { PackOffer } from './packs.js';
export { credits, price, warningLevel, refusalText } from './format.js';
