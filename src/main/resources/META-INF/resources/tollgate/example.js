// The example page: the balance widget and the insufficient-credits dialog as the chat app would
// embed them, and a pre-check of a message (a 402 opens the dialog by itself).
import { configure } from './tollgate.js';
import { startHandover, getToken, hasToken, requestFreshToken } from './session.js';
import { credits } from './format.js';

startHandover();
const client = configure({ getToken });
client.addEventListener('unauthenticated', requestFreshToken);

const note = document.getElementById('signin-note');
const refreshNote = () => { note.hidden = hasToken(); };
document.addEventListener('tollgate-token', refreshNote);
refreshNote();

document.getElementById('message-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const result = document.getElementById('result');
  result.textContent = 'Checking…';
  const response = await client.fetch('/api/credit/pre-check', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: form.get('model'),
      messages: [{ role: 'user', content: form.get('message') }],
      maxOutputTokens: Number(form.get('maxOutputTokens')),
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (response.ok) {
    result.textContent = `This message would cost at most ${credits(body.estimatedMillicredits ?? 0)} credits.`;
  } else {
    result.textContent = body.detail || body.title || `Refused (HTTP ${response.status}).`;
  }
});
