// Everything the chat app embeds, in one import:
//
//   <script type="module">  // or a module file of the app, if its CSP forbids inline scripts
//     import { configure } from 'https://tollgate.example.com/tollgate/tollgate.js';
//     configure({ baseUrl: 'https://tollgate.example.com', getToken: () => auth.accessToken() });
//   </script>
//   <tollgate-balance upgrade-url="/plans"></tollgate-balance>
//   <tollgate-credits-dialog upgrade-url="/plans"></tollgate-credits-dialog>

export { TollgateClient, configure, sharedClient, CACHE_TTL_MS } from './client.js';
export { TollgateBalance } from './balance-widget.js';
export { TollgateCreditsDialog } from './credits-dialog.js';
export { credits, warningLevel } from './format.js';
