// Formatting of Tollgate amounts. Amounts arrive as integer millicredits (1 credit = 1,000) and
// are shown as credits with at most three decimals, computed on integers (no floating point).

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 99955 -> "99.955", 100000 -> "100", -1500 -> "-1.5". */
export function credits(millicredits) {
  const value = Math.trunc(Number(millicredits) || 0);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.floor(abs / 1000);
  const fraction = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return sign + grouping.format(whole) + (fraction ? '.' + fraction : '');
}

/** The warning level of an available balance, by the thresholds of the balance response. */
export function warningLevel(available, thresholds) {
  if (available <= 0) return 'empty';
  if (thresholds && available <= thresholds.criticalMillicredits) return 'critical';
  if (thresholds && available <= thresholds.lowMillicredits) return 'low';
  return 'ok';
}

export const LEVEL_TEXT = {
  ok: 'Credits available',
  low: 'Credits running low',
  critical: 'Credits almost used up',
  empty: 'No credits left',
};

/**
 * The balance's forecast in words when the credits run out before the next refresh (at the pace of
 * the last 7 days), else null: "Runs out around 26 Nov 2026 at this pace, before the refresh on 1 Dec 2026".
 */
export function depletionNote(balance) {
  const forecast = balance?.forecast;
  if (!forecast?.beforeRefresh || !forecast.depletesAt) return null;
  return `Runs out around ${date(forecast.depletesAt)} at this pace, before the refresh on ${date(balance.nextRefreshAt)}`;
}

/** The team id of a pool's account ("team:<id>"), else null. */
export function teamOf(account) {
  return typeof account === 'string' && account.startsWith('team:') ? account.slice('team:'.length) : null;
}

/**
 * Which account a 402 problem ran out, in words: the member's cap on a team ("Your monthly cap on
 * Story studio is reached: 9.6 of 10 credits used"; used is spent plus held), the team's pool, or
 * the user's own credits.
 */
export function refusalText(problem, teamName = 'the team') {
  if (problem?.ranOut === 'member-cap') {
    const used = (Number(problem.spentMillicredits) || 0) + (Number(problem.heldMillicredits) || 0);
    return `Your monthly cap on ${teamName} is reached: ${credits(used)} of ${credits(problem.capMillicredits)} credits used`;
  }
  if (problem?.ranOut === 'pool') return "The team's pool is out of credits";
  return 'You are out of credits for this';
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short',
});

export function date(value) {
  return dateFormat.format(new Date(value));
}

export function dateTime(value) {
  return dateTimeFormat.format(new Date(value));
}

export function integer(value) {
  return grouping.format(Math.trunc(Number(value) || 0));
}

/**
 * A price in the currency's minor units (as Stripe and Tollgate give it: 500 "usd" is $5.00).
 * The number of minor digits is the currency's ISO 4217 exponent as Intl knows it (2 for usd and
 * eur, 0 for jpy), which is Stripe's too except for its few special cases (huf, twd, isk, ugx).
 */
export function price(minorUnits, currency) {
  const code = String(currency ?? '').toUpperCase();
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    const digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(Number(minorUnits) / 10 ** digits);
  } catch {
    // Not a currency Intl knows: the amount as it came, with its code.
    return `${integer(minorUnits)} ${code}`;
  }
}
