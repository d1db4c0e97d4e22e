// Numbers as the table and chart print them: grouped thousands, a fixed number of decimals.

export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `median (min–max)`, or just the value when the rounds agree to the printed precision. */
export function formatSpread(spread: { median: number; min: number; max: number }, digits: number): string {
  const min = formatNumber(spread.min, digits);
  const max = formatNumber(spread.max, digits);
  const mid = formatNumber(spread.median, digits);
  return min === max ? mid : `${mid} (${min}–${max})`;
}
